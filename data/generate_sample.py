"""Generate the bilingual synthetic sample register shipped with CNHT Matcher.

Run ``python3 data/generate_sample.py`` to rewrite ``data/sample/suppliers.csv`` and
``data/sample/requirements.csv``. Output is deterministic (one ``random.Random`` seeded with
20261127) and uses only the standard library so the script runs on any Python 3.11.

How it works, in brief:

* Buyer requirements are written by hand (``REQUIREMENTS``); each carries a private ``need`` that
  says which capability archetype, terms and certificates would satisfy it. The need is used only
  to make the register cover every requirement several times over; it is never written out, and
  the relevance labels in ``data/sample/labels.csv`` are judged separately by reading profiles.
* Suppliers are drawn from capability archetypes (stamping shop, SMT line, dye house ...). Three
  "seed" firms are drawn for every need, then random firms fill each sector up to its target share.
* Descriptions are assembled from many sentence templates in Vietnamese and/or English with random
  equipment, tolerances, capacity and customers, so no two profiles read alike.

All firms, people, tax codes, e-mails and phone numbers are invented.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261127
N_SUPPLIERS = 360
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

SUPPLIER_COLUMNS = [
    "supplier_id", "name", "name_en", "tax_code", "description", "processes", "materials",
    "products", "certifications", "sector", "province", "district", "industrial_park",
    "ownership", "employees", "founded_year", "tier", "customers", "monthly_capacity",
    "languages", "contact_name", "contact_email", "contact_phone", "criteria_1", "criteria_2",
    "criteria_3", "criteria_4", "criteria_5", "criteria_6", "criteria_7", "priority_product",
    "key_product",
]  # fmt: skip
REQUIREMENT_COLUMNS = [
    "requirement_id", "buyer", "title", "description", "required_certifications",
    "preferred_certifications", "sector", "province", "processes", "materials", "quantity",
    "target_tier", "language",
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Vocabulary: key -> (Vietnamese variants, English variants). Firms write free text, so each
# key has several spellings; the engine must map them to taxonomy tags itself.
# --------------------------------------------------------------------------------------------
# fmt: off
TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # processes
    "stamping": (
        ("dập kim loại", "dập tấm", "dập liên hoàn"),
        ("metal stamping", "progressive die stamping", "sheet pressing"),
    ),
    "sheetmetal": (("gia công kim loại tấm", "gia công tôn tấm"), ("sheet metal fabrication",)),
    "bending": (("chấn gấp CNC", "chấn uốn", "uốn ống"), ("press brake bending", "CNC bending")),
    "laser": (("cắt laser",), ("laser cutting", "fiber laser cutting")),
    "punching": (("đột CNC",), ("CNC punching", "turret punching")),
    "welding": (
        ("hàn MIG/TIG", "hàn điểm", "hàn robot"),
        ("MIG/TIG welding", "spot welding", "robotic welding"),
    ),
    "cnc": (
        ("gia công CNC", "gia công cơ khí chính xác"),
        ("CNC machining", "precision machining"),
    ),
    "turning": (("tiện CNC", "tiện tự động"), ("CNC turning", "Swiss-type turning")),
    "milling": (("phay CNC", "phay 5 trục"), ("CNC milling", "5-axis milling")),
    "grinding": (
        ("mài vô tâm", "mài phẳng", "mài tròn"),
        ("centerless grinding", "surface grinding", "cylindrical grinding"),
    ),
    "hobbing": (("cắt bánh răng", "phay lăn răng"), ("gear hobbing", "gear cutting")),
    "edm": (("cắt dây", "xung điện"), ("wire EDM", "sinker EDM")),
    "heat": (
        ("nhiệt luyện", "thấm carbon", "tôi cao tần"),
        ("heat treatment", "carburizing", "induction hardening"),
    ),
    "plating": (
        ("xi mạ", "mạ kẽm", "mạ niken", "mạ crôm"),
        ("electroplating", "zinc plating", "nickel plating", "chrome plating"),
    ),
    "anodising": (("anod hóa",), ("anodizing", "anodising")),
    "powder": (("sơn tĩnh điện",), ("powder coating",)),
    "ecoat": (("sơn ED", "sơn điện ly"), ("e-coating", "ED coating")),
    "painting": (("phun sơn", "sơn phủ"), ("spray painting",)),
    "screen": (("in lụa",), ("screen printing", "silk screen printing")),
    "pad": (("in pad", "in tampon"), ("pad printing",)),
    "injection": (("ép phun nhựa", "ép nhựa"), ("plastic injection moulding", "injection molding")),
    "blow": (("thổi nhựa", "thổi chai"), ("blow moulding", "blow molding")),
    "extrusion_plastic": (("đùn nhựa",), ("plastic extrusion",)),
    "diecast": (
        ("đúc áp lực", "đúc áp lực cao"),
        ("high-pressure die casting", "aluminium die casting", "HPDC"),
    ),
    "gravity": (("đúc trọng lực", "đúc áp lực thấp"), ("gravity casting", "low-pressure casting")),
    "sand": (("đúc cát", "đúc gang"), ("sand casting", "iron casting")),
    "investment": (("đúc mẫu chảy", "đúc sáp"), ("investment casting", "lost-wax casting")),
    "forging": (("rèn nóng", "rèn khuôn"), ("hot forging", "closed-die forging")),
    "coldforge": (("rèn nguội", "dập đầu nguội"), ("cold forging", "cold heading")),
    "al_extrusion": (
        ("ép đùn nhôm", "đùn nhôm định hình"),
        ("aluminium extrusion", "aluminum extrusion"),
    ),
    "rubber": (("ép cao su", "lưu hóa cao su"), ("rubber moulding", "rubber compression molding")),
    "smt": (
        ("lắp ráp SMT", "dán linh kiện SMT"),
        ("SMT assembly", "PCB assembly", "SMT/THT assembly"),
    ),
    "harness": (
        ("bó dây điện", "lắp ráp bó dây"),
        ("wire harness assembly", "wiring harness", "cable assembly"),
    ),
    "winding": (("quấn dây",), ("coil winding",)),
    "cable_making": (
        ("kéo rút và bọc dây đồng", "bọc cách điện dây cáp"),
        ("cable manufacturing", "wire drawing"),
    ),
    "mould": (
        ("thiết kế chế tạo khuôn", "chế tạo khuôn mẫu"),
        ("mould making", "mold and die making"),
    ),
    "jig": (("đồ gá", "đồ gá hàn", "gá kiểm"), ("jigs and fixtures", "checking fixtures")),
    "cmm": (("đo kiểm CMM",), ("CMM inspection", "dimensional inspection")),
    "automation": (
        ("chế tạo máy tự động", "thiết kế dây chuyền tự động"),
        ("automation machine building", "factory automation"),
    ),
    "weaving": (("dệt thoi",), ("weaving",)),
    "knitting": (("dệt kim",), ("circular knitting", "knitting")),
    "spinning": (("kéo sợi",), ("yarn spinning", "ring spinning")),
    "dyeing": (("nhuộm", "nhuộm hoàn tất"), ("dyeing and finishing", "fabric dyeing")),
    "textile_print": (
        ("in chuyển nhiệt", "in vải"),
        ("heat transfer printing", "textile printing"),
    ),
    "embroidery": (("thêu vi tính",), ("computer embroidery",)),
    "trims_making": (
        ("dệt nhãn", "sản xuất cúc áo", "dệt chun"),
        ("label weaving", "button making", "elastic weaving"),
    ),
    "tanning": (("thuộc da", "hoàn thiện da"), ("leather tanning", "leather finishing")),
    "sole_moulding": (("ép đế cao su", "ép đế EVA"), ("outsole pressing", "EVA injection")),
    "pu_coating": (("tráng phủ PU",), ("PU coating",)),
    "shoe_comp_making": (
        ("cắt dập phụ liệu giày", "ép lót giày"),
        ("insole pressing", "shoe component cutting"),
    ),
    "carton_making": (
        ("sản xuất bao bì carton", "định hình xốp EPS"),
        ("corrugated carton making", "EPS foam moulding"),
    ),
    # materials
    "steel_sheet": (
        ("thép tấm SPCC", "thép cuộn cán nguội", "tôn mạ kẽm SECC"),
        ("SPCC steel sheet", "cold rolled steel", "SECC galvanized steel"),
    ),
    "stainless": (("inox 304", "inox SUS430"), ("stainless steel SUS304", "SUS430 stainless")),
    "steel_bar": (
        ("thép S45C", "thép hợp kim SCM440", "thép tròn"),
        ("S45C carbon steel", "SCM440 alloy steel", "steel bar"),
    ),
    "steel_tube": (("ống thép",), ("steel tube",)),
    "tool_steel": (("thép SKD11", "thép SKD61"), ("SKD11 tool steel", "SKD61")),
    "electrical_steel": (("tôn silic",), ("silicon steel", "electrical steel")),
    "aluminium": (
        ("hợp kim nhôm 6061", "nhôm 6063", "nhôm tấm A5052"),
        ("A6061 aluminum", "6063 aluminium", "A5052 aluminium sheet"),
    ),
    "aluminium_cast": (
        ("nhôm ADC12", "hợp kim nhôm đúc ADC12", "nhôm A356"),
        ("ADC12 aluminium", "ADC12 die-cast alloy", "A356 aluminium"),
    ),
    "copper": (
        ("đồng đỏ C1100", "đồng thau C3604", "đồng phốt pho"),
        ("C1100 copper", "C3604 brass", "phosphor bronze"),
    ),
    "cast_iron": (
        ("gang xám FC250", "gang cầu FCD450"),
        ("grey iron FC250", "ductile iron FCD450"),
    ),
    "titanium": (("hợp kim titan", "inconel"), ("titanium alloy", "Inconel 718")),
    "plastic_abs": (("nhựa ABS", "nhựa PC/ABS"), ("ABS", "PC/ABS")),
    "plastic_pc": (("nhựa PC",), ("polycarbonate",)),
    "plastic_pp": (("nhựa PP",), ("PP",)),
    "plastic_pom": (("nhựa POM",), ("POM",)),
    "plastic_pa": (("nhựa PA66", "nhựa PBT"), ("PA66", "PBT")),
    "plastic_pe": (("nhựa HDPE", "nhựa PE"), ("HDPE", "PE")),
    "rubber_nbr": (
        ("cao su NBR", "cao su EPDM", "cao su silicon"),
        ("NBR", "EPDM", "silicone rubber"),
    ),
    "natural_rubber": (("cao su tự nhiên",), ("natural rubber",)),
    "copper_wire": (("dây đồng", "dây đồng bọc PVC"), ("copper wire", "PVC insulated copper wire")),
    "components": (("linh kiện điện tử SMD",), ("SMD components",)),
    "cotton": (("sợi cotton", "sợi CVC"), ("cotton yarn", "CVC yarn")),
    "polyester": (("sợi polyester", "sợi spandex"), ("polyester yarn", "spandex")),
    "fabric": (
        ("vải cotton", "vải polyester", "vải mộc"),
        ("cotton fabric", "polyester fabric", "greige fabric"),
    ),
    "leather": (("da bò", "da thuộc"), ("cowhide", "finished leather")),
    "synthetic_leather": (
        ("giả da PU", "da microfiber"),
        ("PU synthetic leather", "microfiber leather"),
    ),
    "eva": (("xốp EVA", "mút PU"), ("EVA foam", "PU foam")),
    "paper": (("giấy kraft", "giấy sóng"), ("kraft paper", "corrugated board")),
    "eps": (("hạt xốp EPS",), ("EPS beads",)),
    # products
    "shield": (("nắp chắn nhiễu",), ("shield cans",)),
    "brackets": (("giá đỡ kim loại", "pát bắt"), ("brackets", "mounting brackets")),
    "chassis": (("khung sườn thiết bị", "vỏ máy"), ("metal chassis", "equipment frames")),
    "terminals": (("đầu cos", "chân cắm"), ("terminals", "contact pins")),
    "laminations": (("lõi stato", "lá thép kỹ thuật điện"), ("motor laminations", "stator cores")),
    "motorbike": (
        ("phụ tùng xe máy", "linh kiện xe máy"),
        ("motorbike parts", "motorcycle components"),
    ),
    "car": (("phụ tùng ô tô", "linh kiện ô tô"), ("automotive parts", "car parts")),
    "enclosures": (("vỏ tủ điện", "tủ điện"), ("electrical enclosures", "switchgear cabinets")),
    "busbars": (("thanh cái đồng",), ("copper busbars",)),
    "shafts": (("trục", "chốt"), ("shafts", "pins")),
    "gears": (("bánh răng", "nhông xích"), ("gears", "sprockets")),
    "bearings": (("bạc lót", "vòng bi"), ("bushings", "bearings")),
    "fasteners": (("bu lông", "ốc vít", "đai ốc"), ("bolts", "screws", "nuts")),
    "springs": (("lò xo",), ("springs", "wire forms")),
    "housings_al": (
        ("vỏ hộp số", "vỏ động cơ", "nắp máy"),
        ("engine covers", "gearbox housings", "motor housings"),
    ),
    "pump_valve": (("thân bơm", "thân van"), ("pump housings", "valve bodies")),
    "plastic_parts": (
        ("linh kiện nhựa kỹ thuật", "vỏ nhựa", "chi tiết nhựa"),
        ("plastic parts", "plastic housings", "engineering plastic components"),
    ),
    "plastic_gears": (("bánh răng nhựa",), ("plastic gears",)),
    "bottles": (("chai lọ nhựa", "can nhựa"), ("plastic bottles", "jerry cans")),
    "pipes": (("ống nhựa", "thanh profile nhựa"), ("plastic pipes", "plastic profiles")),
    "rubber_parts": (("gioăng", "phớt", "vòng đệm cao su"), ("gaskets", "oil seals", "O-rings")),
    "tyres": (("săm lốp xe máy",), ("motorcycle tyres and tubes",)),
    "pcba": (("bo mạch PCBA", "bản mạch điện tử"), ("PCBA", "PCB assemblies")),
    "harness_prod": (
        ("bó dây điện ô tô", "bó dây cho thiết bị điện tử"),
        ("automotive wire harnesses", "wire harnesses for appliances"),
    ),
    "cable": (("dây cáp điện", "dây điện"), ("electric cable", "power cords")),
    "motors": (("mô tơ điện nhỏ", "động cơ bước"), ("small DC motors", "stepper motors")),
    "coils": (("cuộn cảm", "biến áp nhỏ"), ("inductors", "small transformers")),
    "packaging": (("thùng carton", "xốp EPS định hình"), ("carton boxes", "EPS packaging")),
    "moulds": (
        ("khuôn ép nhựa", "khuôn dập", "khuôn đúc áp lực"),
        ("injection moulds", "stamping dies"),
    ),
    "fixtures": (("đồ gá", "đồ gá kiểm tra"), ("jigs", "test fixtures")),
    "machines": (("máy tự động", "băng tải"), ("automation machines", "conveyors")),
    "precision": (("chi tiết cơ khí chính xác",), ("precision parts",)),
    "medical": (("linh kiện thiết bị y tế",), ("medical device parts",)),
    "aerospace": (("chi tiết hàng không",), ("aerospace parts",)),
    "semicon": (("linh kiện máy bán dẫn",), ("semiconductor equipment parts",)),
    "al_profiles": (
        ("thanh nhôm định hình", "vỏ pin nhôm"),
        ("aluminium profiles", "battery housings"),
    ),
    "heat_sinks": (("tản nhiệt nhôm",), ("aluminium heat sinks",)),
    "yarn": (("sợi cotton chải kỹ", "sợi OE"), ("combed cotton yarn", "open-end yarn")),
    "woven_fabric": (("vải dệt thoi", "vải sơ mi"), ("woven fabric", "shirting fabric")),
    "knit_fabric": (("vải dệt kim", "vải thun"), ("knitted fabric", "jersey fabric")),
    "accessories": (
        ("cúc áo", "khóa kéo", "nhãn dệt", "dây chun"),
        ("buttons", "zippers", "woven labels", "elastic bands"),
    ),
    "leather_prod": (("da thành phẩm",), ("finished leather",)),
    "soles": (
        ("đế giày cao su", "đế EVA", "đế PU"),
        ("rubber outsoles", "EVA midsoles", "PU soles"),
    ),
    "footwear_comp": (
        ("lót giày", "dây giày", "phom giày"),
        ("insoles", "shoe laces", "shoe lasts"),
    ),
}
# fmt: on

# Sector groups -> code and Vietnamese/English wording used in descriptions.
SECTOR_CODE = {"textile": "I", "footwear": "II", "electronics": "III", "auto": "IV",
               "mechanical": "V", "hightech": "VI"}  # fmt: skip
SECTOR_WORDS = {
    "textile": ("dệt may", "textile and garment"),
    "footwear": ("da giày", "footwear"),
    "electronics": ("điện tử", "electronics"),
    "auto": ("ô tô, xe máy", "automotive and motorcycle"),
    "mechanical": ("cơ khí chế tạo", "mechanical engineering"),
    "hightech": ("công nghệ cao", "high-tech"),
}
# Target shares for Hanoi: weighted to mechanical/auto/electronics (DOMAIN.md, programme focus).
SECTOR_SHARE = {"mechanical": 0.30, "electronics": 0.22, "auto": 0.15, "textile": 0.15,
                "footwear": 0.08, "hightech": 0.10}  # fmt: skip


@dataclass(frozen=True)
class Archetype:
    """A kind of supporting-industry firm: what it does, with what, for whom."""

    key: str
    core: tuple[str, ...]
    extras: tuple[str, ...]
    materials: tuple[str, ...]
    products: tuple[str, ...]
    groups: tuple[str, ...]  # sector groups this kind of firm belongs to
    equipment: tuple[tuple[str, str], ...]  # (vi, en) sentence templates
    capacity: tuple[str, str, int, int]  # (vi unit, en unit, low, high)
    names: tuple[tuple[str, str], ...]  # (vi business word, en business word)
    tolerance: bool = True


# fmt: off
A = Archetype
ARCHETYPES: dict[str, Archetype] = {a.key: a for a in [
    A("stamping", ("stamping",), ("welding", "plating", "mould", "bending", "laser", "cmm"),
      ("steel_sheet", "stainless", "copper", "aluminium", "electrical_steel"),
      ("brackets", "chassis", "shield", "terminals", "motorbike", "car", "laminations"),
      ("mechanical", "auto", "electronics"),
      (("Nhà xưởng có {n} máy dập từ {a} đến {b} tấn, trong đó có dây chuyền dập liên hoàn.",
        "The shop runs {n} presses from {a} to {b} tons including progressive die lines."),
       ("Máy dập Amada, Aida, Komatsu có cấp phôi cuộn tự động và cảm biến kẹt khuôn.",
        "Amada, Aida and Komatsu presses with automatic coil feeders and die protection.")),
      ("sản phẩm/tháng", "pcs/month", 200, 3000),
      (("Cơ khí Chính xác", "Precision Mechanical"), ("Kim khí", "Metal Works"),
       ("Cơ khí", "Mechanical"), ("Dập Kim loại", "Metal Stamping"))),
    A("sheetmetal", ("sheetmetal", "laser", "bending"), ("welding", "powder", "punching"),
      ("steel_sheet", "stainless", "aluminium", "copper"),
      ("enclosures", "chassis", "brackets", "busbars"),
      ("mechanical", "electronics"),
      (("Thiết bị gồm máy cắt laser fiber {k} kW, {n} máy chấn CNC {a}–{b} tấn.",
        "Equipment: {k} kW fibre laser, {n} CNC press brakes of {a}–{b} t."),
       ("Xưởng có máy đột CNC Amada, robot hàn và dây chuyền sơn tự động.",
        "We have an Amada turret punch, welding robots and an automatic paint line.")),
      ("tấn thép/tháng", "tonnes of steel/month", 40, 400),
      (("Cơ khí", "Engineering"), ("Kết cấu Thép", "Steel Structure"),
       ("Tủ bảng điện", "Switchboard"))),
    A("cnc", ("cnc",), ("turning", "milling", "grinding", "heat", "cmm", "anodising", "edm"),
      ("aluminium", "steel_bar", "stainless", "copper"),
      ("shafts", "precision", "motorbike", "car", "fixtures"),
      ("mechanical", "auto", "hightech"),
      (("Xưởng có {n} máy CNC 3–5 trục (Mazak, DMG Mori, Brother Speedio) và máy đo CMM.",
        "We operate {n} 3- to 5-axis CNC machines (Mazak, DMG Mori, Brother Speedio) and a CMM."),
       ("Trong đó có {m} máy tiện CNC, hành trình phay tới {b} mm.",
        "Among them {m} CNC lathes; milling travel up to {b} mm.")),
      ("chi tiết/tháng", "parts/month", 10, 300),
      (("Cơ khí Chính xác", "Precision Engineering"), ("Kỹ thuật Cơ khí", "Mechanical Technology"),
       ("Công nghệ Chính xác", "Precision Technology"))),
    A("turning", ("turning",), ("grinding", "plating", "cmm", "heat"),
      ("copper", "stainless", "steel_bar"),
      ("shafts", "fasteners", "terminals", "precision"),
      ("mechanical", "electronics"),
      (("{n} máy tiện tự động kiểu Thụy Sĩ (Citizen, Star) và {a} máy tiện CNC.",
        "{n} Swiss-type automatic lathes (Citizen, Star) and {a} CNC lathes."),
       ("Máy mài vô tâm, máy đo quang học và máy đo độ tròn.",
        "Centerless grinders, optical comparator and roundness tester.")),
      ("chi tiết/tháng", "pcs/month", 100, 2000),
      (("Cơ khí Chính xác", "Precision Turning"), ("Linh kiện Cơ khí", "Mechanical Components"))),
    A("diecast", ("diecast",), ("cnc", "mould", "painting", "powder"),
      ("aluminium_cast",), ("housings_al", "motorbike", "car"),
      ("auto", "mechanical"),
      (("Có {n} máy đúc áp lực buồng lạnh {a}–{b} tấn (Toshiba, Buhler).",
        "{n} cold-chamber die casting machines of {a}–{b} t (Toshiba, Buhler)."),
       ("Trang bị máy X-quang, máy thử kín khí và lò nấu nhôm {k} tấn.",
        "X-ray, leak testers and a {k}-tonne aluminium melting furnace.")),
      ("tấn nhôm/tháng", "tonnes of aluminium/month", 20, 300),
      (("Đúc Kim loại", "Metal Casting"), ("Cơ khí Đúc", "Die Casting"))),
    A("gravity", ("gravity",), ("cnc", "heat", "painting"),
      ("aluminium_cast",), ("housings_al", "motorbike", "pump_valve"),
      ("mechanical", "auto"),
      (("{n} máy đúc trọng lực nghiêng và máy đúc áp lực thấp.",
        "{n} tilting gravity casting and low-pressure casting machines."),),
      ("tấn/tháng", "tonnes/month", 10, 150),
      (("Đúc", "Foundry"), ("Cơ khí Đúc", "Casting"))),
    A("foundry", ("sand",), ("cnc", "heat", "painting"),
      ("cast_iron", "steel_bar"), ("pump_valve", "housings_al", "gears"),
      ("mechanical",),
      (("Lò trung tần {k} tấn/mẻ, dây chuyền làm khuôn cát tự động.",
        "{k}-tonne induction furnaces and an automatic sand moulding line."),),
      ("tấn vật đúc/tháng", "tonnes of castings/month", 50, 800),
      (("Đúc", "Foundry"), ("Cơ khí Đúc", "Casting"))),
    A("investment", ("investment",), ("cnc", "heat"),
      ("stainless", "steel_bar"), ("pump_valve", "precision"),
      ("mechanical",),
      (("Dây chuyền đúc mẫu chảy vỏ gốm, chi tiết từ 10 g đến {k}0 kg.",
        "Ceramic-shell investment casting line, parts from 10 g to {k}0 kg."),),
      ("tấn/tháng", "tonnes/month", 5, 80),
      (("Đúc Chính xác", "Precision Casting"),)),
    A("forging", ("forging",), ("cnc", "heat", "coldforge"),
      ("steel_bar",), ("shafts", "gears", "motorbike", "fasteners"),
      ("mechanical", "auto"),
      (("Máy rèn {a}–{b} tấn, lò nung cao tần.",
        "Forging presses of {a}–{b} t with induction heaters."),),
      ("tấn/tháng", "tonnes/month", 20, 400),
      (("Rèn", "Forging"), ("Cơ khí", "Mechanical"))),
    A("fasteners", ("coldforge",), ("heat", "plating", "turning"),
      ("steel_bar", "stainless"), ("fasteners", "springs"),
      ("mechanical", "auto"),
      (("{n} máy dập đầu nguội nhiều trạm, máy cán ren và máy cuốn lò xo CNC.",
        "{n} multi-station cold headers, thread rollers and CNC spring coilers."),),
      ("triệu chiếc/tháng", "million pcs/month", 1, 40),
      (("Bu lông Ốc vít", "Fasteners"), ("Cơ khí", "Hardware"), ("Lò xo", "Springs"))),
    A("gears", ("hobbing",), ("heat", "grinding", "turning", "forging"),
      ("steel_bar",), ("gears", "shafts", "bearings", "motorbike"),
      ("mechanical", "auto"),
      (("Máy phay lăn răng CNC, máy mài răng và lò thấm carbon.",
        "CNC gear hobbers, gear grinders and a carburizing furnace."),),
      ("chi tiết/tháng", "pcs/month", 20, 400),
      (("Bánh răng", "Gear"), ("Cơ khí", "Machinery"))),
    A("heat", ("heat",), ("plating",),
      ("steel_bar", "tool_steel"), ("gears", "shafts", "fasteners"),
      ("mechanical",),
      (("Lò thấm carbon liên tục, lò tôi chân không và {n} máy tôi cao tần.",
        "Continuous carburizing furnace, vacuum furnace and {n} induction hardening units."),),
      ("tấn/tháng", "tonnes/month", 30, 500),
      (("Nhiệt luyện", "Heat Treatment"), ("Xử lý Nhiệt", "Thermal Processing")), False),
    A("plating", ("plating",), ("anodising", "powder", "ecoat", "painting"),
      ("steel_sheet", "copper", "aluminium"), ("fasteners", "motorbike", "brackets", "busbars"),
      ("mechanical", "auto"),
      (("{n} dây chuyền mạ tự động, hệ thống xử lý nước thải đạt QCVN 40.",
        "{n} automatic plating lines with a wastewater plant meeting QCVN 40."),
       ("Thử phun muối {a} giờ, đo độ dày lớp mạ bằng XRF.",
        "Salt spray testing to {a} h and XRF coating-thickness gauges.")),
      ("m2/tháng", "m2/month", 20, 300),
      (("Xi mạ", "Plating"), ("Xử lý Bề mặt", "Surface Finishing")), False),
    A("coating", ("powder",), ("ecoat", "painting", "plating"),
      ("steel_sheet", "aluminium"), ("enclosures", "motorbike", "car", "brackets"),
      ("mechanical", "auto"),
      (("Dây chuyền sơn tĩnh điện treo tự động dài {m}0 m, lò sấy 200°C.",
        "Automatic overhead powder line {m}0 m long, curing oven 200 °C."),),
      ("m2/tháng", "m2/month", 30, 400),
      (("Sơn Công nghiệp", "Industrial Coating"), ("Xử lý Bề mặt", "Surface Finishing")), False),
    A("al_extrusion", ("al_extrusion",), ("anodising", "cnc", "powder"),
      ("aluminium",), ("al_profiles", "heat_sinks", "enclosures"),
      ("mechanical", "auto", "electronics"),
      (("{n} máy ép đùn nhôm 600–2.500 tấn, dây chuyền anod hóa.",
        "{n} extrusion presses of 600–2,500 t and an anodising line."),),
      ("tấn/tháng", "tonnes/month", 100, 1500),
      (("Nhôm", "Aluminium"), ("Nhôm Định hình", "Aluminium Profiles"))),
    A("mould", ("mould",), ("cnc", "edm", "cmm", "milling", "injection"),
      ("tool_steel",), ("moulds", "fixtures"),
      ("mechanical", "hightech"),
      (("Máy phay CNC tốc độ cao, {n} máy cắt dây và xung điện, phần mềm NX, Moldflow.",
        "High-speed CNC mills, {n} wire-cut and sinker EDMs, NX and Moldflow software."),),
      ("bộ khuôn/tháng", "moulds/month", 4, 40),
      (("Khuôn mẫu", "Mould"), ("Kỹ thuật Khuôn", "Tooling"))),
    A("jig", ("jig",), ("cnc", "welding", "cmm", "automation"),
      ("steel_bar", "aluminium"), ("fixtures", "machines"),
      ("mechanical", "hightech"),
      (("Đội ngũ {n} kỹ sư thiết kế, phần mềm SolidWorks, xưởng gia công {m} máy CNC.",
        "{n} design engineers on SolidWorks and an in-house shop of {m} CNC machines."),),
      ("bộ đồ gá/tháng", "fixture sets/month", 20, 300),
      (("Tự động hóa", "Automation"), ("Kỹ thuật", "Engineering"))),
    A("precision", ("cnc", "milling"), ("edm", "grinding", "cmm", "anodising"),
      ("titanium", "stainless", "aluminium"), ("precision", "medical", "aerospace", "semicon"),
      ("hightech",),
      (("Trung tâm gia công 5 trục DMG Mori, máy đo CMM Zeiss, phòng sạch lắp ráp.",
        "DMG Mori 5-axis centres, a Zeiss CMM and a clean assembly room."),
       ("Gia công được chi tiết dung sai ±{t} µm, độ nhám Ra 0,4.",
        "We hold tolerances of ±{t} µm and Ra 0.4 finishes.")),
      ("chi tiết/tháng", "parts/month", 5, 100),
      (("Công nghệ Cao", "Hi-Tech"), ("Kỹ thuật Chính xác", "Precision Technology"))),
    A("injection", ("injection",), ("mould", "pad", "screen", "painting", "cmm"),
      ("plastic_abs", "plastic_pc", "plastic_pp", "plastic_pom", "plastic_pa"),
      ("plastic_parts", "plastic_gears", "motorbike", "car", "medical"),
      ("mechanical", "electronics", "auto"),
      (("{n} máy ép nhựa lực kẹp {a}–{b} tấn (Haitian, JSW, Toshiba), có robot gắp sản phẩm.",
        "{n} injection machines of {a}–{b} t clamp force (Haitian, JSW, Toshiba) with robots."),
       ("Có máy sấy hạt nhựa, máy điều nhiệt khuôn và máy nghiền tái chế.",
        "Resin dryers, mould temperature controllers and regrind granulators.")),
      ("sản phẩm/tháng", "pcs/month", 100, 5000),
      (("Nhựa", "Plastics"), ("Nhựa Kỹ thuật", "Engineering Plastics"),
       ("Nhựa Công nghiệp", "Industrial Plastics"))),
    A("blow", ("blow", "extrusion_plastic"), ("screen",),
      ("plastic_pe", "plastic_pp"), ("bottles", "pipes"),
      ("mechanical",),
      (("{n} máy thổi và {m} dây chuyền đùn ống.",
        "{n} blow moulders and {m} pipe extrusion lines."),),
      ("tấn/tháng", "tonnes/month", 20, 300),
      (("Nhựa", "Plastics"),)),
    A("rubber", ("rubber",), ("mould", "cmm"),
      ("rubber_nbr", "natural_rubber"), ("rubber_parts", "tyres", "motorbike", "car"),
      ("auto", "mechanical"),
      (("{n} máy ép lưu hóa {a}–{b} tấn, máy luyện kín và máy cán hai trục.",
        "{n} vulcanising presses of {a}–{b} t, an internal mixer and two-roll mills."),),
      ("sản phẩm/tháng", "pcs/month", 100, 3000),
      (("Cao su", "Rubber"), ("Cao su Kỹ thuật", "Technical Rubber"))),
    A("smt", ("smt",), ("harness", "cmm"),
      ("components",), ("pcba",),
      ("electronics", "hightech"),
      (("{n} dây chuyền SMT (Fuji NXT, Panasonic NPM), máy AOI, X-ray, lò reflow 10 vùng.",
        "{n} SMT lines (Fuji NXT, Panasonic NPM), AOI, X-ray and 10-zone reflow ovens."),
       ("Dán được linh kiện 0201, BGA, kiểm tra ICT và FCT.",
        "Placement down to 0201 and BGA, with ICT and functional test.")),
      ("bo mạch/tháng", "boards/month", 50, 1500),
      (("Điện tử", "Electronics"), ("Công nghệ Điện tử", "Electronic Technology"))),
    A("harness", ("harness",), ("injection", "winding"),
      ("copper_wire",), ("harness_prod", "cable"),
      ("electronics", "auto"),
      (("{n} máy cắt tuốt dây tự động (Komax, Shinmaywa), {m} máy bấm đầu cos, bàn kiểm "
        "thông mạch.",
        "{n} Komax/Shinmaywa cut-strip machines, {m} crimping presses and circuit test boards."),),
      ("bộ/tháng", "sets/month", 20, 800),
      (("Điện tử", "Electronics"), ("Dây và Cáp điện", "Wire and Cable"))),
    A("cable", ("cable_making",), ("harness",),
      ("copper_wire",), ("cable",),
      ("electronics", "mechanical"),
      (("Máy kéo rút dây đồng, {n} dây chuyền bọc cách điện PVC/XLPE.",
        "Copper drawing machines and {n} PVC/XLPE insulation lines."),),
      ("km dây/tháng", "km of wire/month", 500, 8000),
      (("Dây Cáp điện", "Cable"),)),
    A("motors", ("winding",), ("stamping", "turning"),
      ("copper_wire", "electrical_steel"), ("motors", "coils"),
      ("electronics", "hightech"),
      (("{n} máy quấn dây tự động, dây chuyền lắp ráp và thử nghiệm mô tơ.",
        "{n} automatic winding machines and motor assembly and test lines."),),
      ("sản phẩm/tháng", "units/month", 20, 800),
      (("Điện cơ", "Electric Motor"), ("Thiết bị Điện", "Electrical Equipment"))),
    A("packaging", ("carton_making",), ("screen",),
      ("paper", "eps"), ("packaging",),
      ("electronics",),
      (("Máy tạo sóng 5 lớp, máy in flexo {n} màu, máy định hình xốp EPS.",
        "5-ply corrugators, {n}-colour flexo printers and EPS shape moulding machines."),),
      ("thùng/tháng", "boxes/month", 200, 5000),
      (("Bao bì", "Packaging"),), False),
    A("spinning", ("spinning",), ("dyeing",),
      ("cotton", "polyester"), ("yarn",),
      ("textile",),
      (("Nhà máy {n}.000 cọc sợi, máy chải kỹ Rieter, máy đánh ống Murata.",
        "{n},000 spindles, Rieter combers and Murata autoconers."),),
      ("tấn sợi/tháng", "tonnes of yarn/month", 100, 1200),
      (("Sợi", "Yarn"), ("Dệt", "Textile")), False),
    A("weaving", ("weaving",), ("dyeing", "textile_print"),
      ("cotton", "polyester"), ("woven_fabric",),
      ("textile",),
      (("{n} máy dệt khí (air-jet) Toyota, khổ vải tới {w} cm.",
        "{n} Toyota air-jet looms, widths up to {w} cm."),),
      ("m vải/tháng", "metres of fabric/month", 100, 2000),
      (("Dệt", "Weaving"), ("Dệt may", "Textile")), False),
    A("knitting", ("knitting",), ("dyeing", "textile_print"),
      ("cotton", "polyester"), ("knit_fabric",),
      ("textile",),
      (("{n} máy dệt kim tròn Mayer & Cie, máy nhuộm cao áp.",
        "{n} Mayer & Cie circular knitting machines and jet dyeing machines."),),
      ("tấn vải/tháng", "tonnes of fabric/month", 30, 600),
      (("Dệt kim", "Knitting"), ("Dệt may", "Textile")), False),
    A("dyeing", ("dyeing",), ("textile_print",),
      ("fabric",), ("woven_fabric", "knit_fabric"),
      ("textile",),
      (("{n} máy nhuộm jet, máy căng định hình (stenter), hệ thống xử lý nước thải {a} m3/ngày.",
        "{n} jet dyeing machines, stenters and a {a} m3/day effluent treatment plant."),),
      ("tấn vải/tháng", "tonnes of fabric/month", 30, 600),
      (("Nhuộm", "Dyeing"), ("Dệt Nhuộm", "Textile Dyeing")), False),
    A("accessories", ("trims_making",), ("embroidery", "textile_print"),
      ("polyester", "plastic_pp"), ("accessories",),
      ("textile",),
      (("{n} máy dệt nhãn Jacquard, máy dệt chun và máy ép cúc.",
        "{n} Jacquard label looms, elastic looms and button presses."),),
      ("sản phẩm/tháng", "pcs/month", 1000, 20000),
      (("Phụ liệu May", "Garment Accessories"), ("Dệt may", "Textile")), False),
    A("tanning", ("tanning",), (),
      ("leather",), ("leather_prod",),
      ("footwear",),
      (("{n} thùng quay thuộc, máy bào, máy phun màu và ép vân.",
        "{n} tanning drums, shaving, spraying and embossing machines."),),
      ("m2 da/tháng", "m2 of leather/month", 50, 800),
      (("Thuộc da", "Tannery"), ("Da giày", "Leather")), False),
    A("soles", ("sole_moulding",), ("rubber",),
      ("natural_rubber", "eva"), ("soles",),
      ("footwear",),
      (("{n} máy ép đế thủy lực, máy ép phun EVA {a} trạm.",
        "{n} hydraulic sole presses and {a}-station EVA injection machines."),),
      ("đôi/tháng", "pairs/month", 100, 2000),
      (("Đế giày", "Sole"), ("Da giày", "Footwear")), False),
    A("synthetic", ("pu_coating",), (),
      ("fabric",), ("synthetic_leather",),
      ("footwear",),
      (("Dây chuyền tráng phủ PU khô và ướt, khổ {w} cm.",
        "Dry and wet PU coating lines, {w} cm wide."),),
      ("m/tháng", "metres/month", 100, 1500),
      (("Vật liệu Giày", "Footwear Materials"), ("Da giày", "Leather")), False),
    A("footwear_comp", ("shoe_comp_making",), ("textile_print",),
      ("eva", "fabric"), ("footwear_comp",),
      ("footwear",),
      (("Máy chặt thủy lực, máy ép nóng lót giày, máy dệt dây giày.",
        "Hydraulic die cutters, insole hot presses and lace braiding machines."),),
      ("đôi/tháng", "pairs/month", 100, 3000),
      (("Phụ liệu Giày", "Shoe Components"), ("Da giày", "Footwear")), False),
]}
del A
# fmt: on

# Customers named in profiles, per sector group; tier-3 firms name domestic firms.
CUSTOMERS = {
    "auto": ["Toyota Motor Vietnam", "Honda Vietnam", "Thaco", "Hyundai Thanh Cong", "VinFast",
             "Denso Vietnam", "Sumitomo Electric", "Yamaha Motor Vietnam", "Piaggio Vietnam",
             "Goshi Thăng Long"],
    "electronics": ["Samsung Electronics Vietnam", "Canon Vietnam", "LG Electronics Vietnam",
                    "Panasonic Vietnam", "Foxconn", "Brother Industries Vietnam",
                    "Meiko Electronics", "Fujifilm Business Innovation", "Nidec"],
    "mechanical": ["ABB Vietnam", "Canon Vietnam", "Nidec", "VEAM", "EEMC Đông Anh",
                   "Honda Vietnam", "Yamaha Motor Vietnam", "Panasonic Vietnam"],
    "hightech": ["Hanwha Aero Engines", "Nidec", "Canon Vietnam", "B. Braun Vietnam",
                 "Samsung Electronics Vietnam"],
    "textile": ["Hanesbrands Vietnam", "Tổng Công ty May 10", "Hanosimex", "May Đức Giang",
                "Việt Tiến", "Decathlon"],
    "footwear": ["Pou Chen Vietnam", "Changshin Vietnam", "Giày Thượng Đình", "Biti's",
                 "Tae Kwang Vina"],
}  # fmt: skip
DOMESTIC_CUSTOMERS = ["Cơ khí Hà Nội (HAMECO)", "Điện cơ Thống Nhất", "Rạng Đông",
                      "Công ty CP Cơ điện Trần Phú", "Sunhouse", "Nhựa Tiền Phong",
                      "Tập đoàn Hòa Bình Minh", "các doanh nghiệp cấp 1 trong nước"]  # fmt: skip

DISTRICTS: dict[str, list[tuple[str, list[str]]]] = {
    "Hà Nội": [
        ("Phú Xuyên", ["KCN Nam Hà Nội (Phú Xuyên)", ""]),
        ("Đông Anh", ["KCN Thăng Long", "KCN Bắc Thăng Long", "CCN Nguyên Khê", ""]),
        ("Mê Linh", ["KCN Quang Minh", ""]),
        ("Sóc Sơn", ["KCN Nội Bài", "KCN Sóc Sơn", ""]),
        ("Long Biên", ["KCN Sài Đồng B", "KCN Hà Nội – Đài Tư", ""]),
        ("Thạch Thất", ["KCN Thạch Thất – Quốc Oai", "Khu CNC Hòa Lạc", ""]),
        ("Quốc Oai", ["KCN Thạch Thất – Quốc Oai", ""]),
        ("Thanh Trì", ["CCN Ngọc Hồi", ""]),
        ("Thường Tín", ["CCN Quất Động", "CCN Liên Phương", ""]),
        ("Gia Lâm", ["CCN Phú Thị", ""]),
        ("Chương Mỹ", ["KCN Phú Nghĩa", ""]),
        ("Thanh Oai", ["CCN Bình Minh", ""]),
        ("Hoàng Mai", [""]), ("Bắc Từ Liêm", [""]), ("Hà Đông", [""]), ("Nam Từ Liêm", [""]),
    ],
    "Bắc Ninh": [("Yên Phong", ["KCN Yên Phong"]), ("Từ Sơn", ["KCN VSIP Bắc Ninh"]),
                 ("Quế Võ", ["KCN Quế Võ"])],
    "Hưng Yên": [("Mỹ Hào", ["KCN Phố Nối A"]), ("Văn Lâm", ["KCN Thăng Long II"])],
    "Vĩnh Phúc": [("Bình Xuyên", ["KCN Bá Thiện", "KCN Bình Xuyên"])],
    "Hải Dương": [("Cẩm Giàng", ["KCN Đại An"])],
}  # fmt: skip
# Districts weighted toward the supporting-industry parks named in Plan 94/KH-UBND.
DISTRICT_WEIGHTS = [14, 14, 9, 9, 6, 8, 3, 6, 6, 5, 4, 3, 3, 4, 3, 3]

BRAND_SYLLABLES = ["An", "Bảo", "Bình", "Cường", "Đại", "Đông", "Đức", "Gia", "Hà", "Hải",
                   "Hòa", "Hoàng", "Hồng", "Hưng", "Khánh", "Kim", "Long", "Minh", "Nam",
                   "Ngọc", "Phát", "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thắng", "Thành",
                   "Thịnh", "Tiến", "Trung", "Trường", "Tuấn", "Việt", "Vinh", "Xuân"]  # fmt: skip
FOREIGN_BRANDS = {
    "ja": ["Tohoku Seimitsu", "Kyowa Kogyo", "Sanko Mold", "Daiichi Parts", "Hanshin Press",
           "Nakamura Giken", "Shinwa Rubber", "Oyama Plating", "Fujikura Denso", "Matsuo Seiko",
           "Takada Spring", "Hokuto Harness", "Ikeda Precision", "Morita Plastics"],
    "ko": ["Daesung Vina", "Seojin Tech Vina", "Hanil Electronics Vina", "Dongwon Metal Vina",
           "Sungwoo Hitech Vina", "Jinyoung Cable Vina", "Kumho Parts Vina", "Woojin Plastic Vina"],
}  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương",
          "Lý", "Phan", "Trịnh", "Đinh"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Thanh", "Quang", "Ngọc", "Hữu", "Hồng", "Xuân"]
GIVEN = ["Hùng", "Lan", "Hương", "Tuấn", "Dũng", "Hà", "Linh", "Nam", "Sơn", "Trang", "Hải",
         "Thảo", "Quân", "Huyền", "Khoa", "Phương", "Long", "Mai", "Thắng", "Yến",
         "Đạt"]  # fmt: skip

CERT_SPELLINGS = {
    "ISO 9001": ["ISO 9001:2015", "ISO 9001", "iso9001", "ISO-9001:2015", "ISO9001:2015",
                 "ISO 9001 : 2015"],
    "ISO 14001": ["ISO 14001:2015", "ISO-14001:2015", "iso 14001", "ISO14001"],
    "IATF 16949": ["IATF 16949:2016", "IATF16949", "iatf 16949"],
    "ISO 45001": ["ISO 45001:2018", "ISO45001"],
    "ISO 13485": ["ISO 13485:2016", "ISO13485"],
    "QC 080000": ["QC 080000", "IECQ QC080000", "QC080000:2017"],
    "Samsung Eco-Partner": ["Eco Partner Samsung", "Samsung Eco-Partner", "SEC Eco-partner"],
    "RBA": ["RBA", "RBA Code of Conduct"],
}  # fmt: skip
ECO, IATF, QC, I9, I14, I13 = ("Samsung Eco-Partner", "IATF 16949", "QC 080000", "ISO 9001",
                               "ISO 14001", "ISO 13485")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Requirements, written by hand. ``need`` = (archetype, terms the firm must list, certificates,
# forced description language or ""). It only drives coverage and is never written out.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Need:
    """What a firm needs to be a plausible answer to one requirement (generator-internal)."""

    arch: str
    must: tuple[str, ...] = ()
    certs: tuple[str, ...] = ()
    lang: str = ""


@dataclass(frozen=True)
class Requirement:
    """One buyer request as written to requirements.csv, plus its private coverage need."""

    buyer: str
    title: str
    description: str
    need: Need
    required: str = ""
    preferred: str = ""
    sector: str = ""
    province: str = ""
    processes: str = ""
    materials: str = ""
    quantity: str = ""
    tier: str = ""
    language: str = "en"


# fmt: off
R = Requirement
N = Need
REQUIREMENTS: list[Requirement] = [
    # --- Samsung Electronics Vietnam
    R("Samsung Electronics Vietnam", "EMI shield cans for smartphone main board",
      "We are looking for local supplier of EMI shield cans for smartphone main board. Material "
      "nickel silver or SUS304, t=0.15 mm, progressive die stamping, flatness within 0.05 mm. "
      "Volume about 3 million pcs per month. Supplier must have Samsung Eco-Partner certificate.",
      N("stamping", ("stainless", "shield"), (ECO,)), ECO, I14, "III", "",
      "progressive die stamping", "SUS304", "3,000,000 pcs/month", "1"),
    R("Samsung Electronics Vietnam", "PC/ABS moulded housings for phone accessories",
      "Request for quotation: injection molded housings in PC/ABS and PC for wireless charger and "
      "phone accessory. Cosmetic grade A surface, UV painting is plus. Monthly 500k pcs. Samsung "
      "Eco-Partner certification is mandatory, ISO 9001 also.",
      N("injection", ("plastic_abs",), (ECO, I9)), f"{ECO};{I9}", "", "III", "",
      "injection molding", "PC/ABS", "500,000 pcs/month", "1"),
    R("Samsung Electronics Vietnam", "EPS inserts and printed cartons for tablet packing",
      "Need EPS foam inserts and corrugated carton boxes for tablet packing, 4-colour flexo "
      "printing on carton. Delivery to Yen Phong daily, just-in-time. About 200,000 sets per "
      "month.", N("packaging", ("eps",)), "", I9, "III", "", "", "EPS; corrugated board",
      "200,000 sets/month", "2"),
    R("Samsung Electronics Vietnam", "SMT assembly of charger PCBA",
      "Looking for EMS partner with SMT lines for charger and adapter PCBA, 0201 chips and BGA. "
      "AOI and X-ray inspection needed. Must comply RoHS and hold QC 080000 certificate.",
      N("smt", (), (QC,)), QC, ECO, "III", "", "SMT", "", "150,000 boards/month", "2"),
    R("Samsung Electronics Vietnam", "Silicone rubber buttons and gaskets for wearables",
      "Silicone rubber keys, gaskets and dust plugs for smart watch and earbuds case. Compression "
      "moulding, hardness 50 Shore A, colour matching with Pantone. Eco-Partner preferred.",
      N("rubber", ("rubber_nbr",)), "", f"{ECO};{I14}", "III", "", "", "silicone rubber",
      "1,000,000 pcs/month", "2"),
    # --- Canon Vietnam
    R("Canon Vietnam", "POM and PA plastic gears for laser printer",
      "Canon Vietnam want to find supplier for small plastic gears of POM and PA for laser printer "
      "drive unit. Module 0.5 to 1.0, accuracy JIS class 3. Many part numbers, each 20k-100k pcs "
      "per month. ISO 9001 is necessary.",
      N("injection", ("plastic_pom", "plastic_gears"), (I9,)), I9, "", "III", "",
      "injection moulding", "POM; PA66", "20,000-100,000 pcs/month per part", "2"),
    R("Canon Vietnam", "Paper feed roller shafts",
      "Precision shafts for paper feed roller. Free-cutting steel or SUS303, CNC turning and "
      "centerless grinding, diameter tolerance h6, runout 0.01 mm. Nickel plating after "
      "machining. Around 150,000 pcs per month.",
      N("turning", ("shafts", "grinding"), (), "vi"), "", I9, "III", "",
      "turning; centerless grinding", "SUS303; free-cutting steel", "150,000 pcs/month", "2"),
    R("Canon Vietnam", "SECC pressed frames for printers",
      "Sheet metal pressing parts for printer frame, SECC and SGCC, thickness 0.8-1.6 mm, "
      "progressive and transfer die. Flatness and burr control is important. Die maintenance "
      "capability in house is required.",
      N("stamping", ("steel_sheet",)), "", f"{I9};{I14}", "III", "", "pressing", "SECC; SGCC",
      "300,000 pcs/month", "2"),
    R("Canon Vietnam", "Plastic injection moulds (tooling localisation)",
      "Canon Vietnam is localising tooling. Looking for mould shop to make plastic injection "
      "moulds, 2-plate and 3-plate, hot runner, NAK80 or SKD61 steel, for parts up to 300 x 300 "
      "mm. Mould life 500k shots. Design by NX is preferred.",
      N("mould", ("moulds",), (I9,)), I9, "", "V", "", "mould making", "NAK80; SKD61",
      "4-6 moulds/month", "2"),
    R("Canon Vietnam", "Rubber rollers for printer paper path",
      "Need supplier of rubber rollers and rubber parts for printer paper path, EPDM or silicone, "
      "hardness 40 +/-5 Shore A, moulded on ground steel core.",
      N("rubber", ("rubber_parts",)), "", "", "III", "", "rubber moulding", "EPDM; silicone",
      "80,000 pcs/month", "2"),
    # --- Honda Vietnam
    R("Honda Vietnam", "ADC12 die cast engine covers for motorcycles",
      "Honda Vietnam is looking for die casting supplier for motorcycle crankcase cover and "
      "cylinder head cover, aluminium ADC12, 250-800 ton machines, with CNC machining and leak "
      "test. Volume 40,000 sets per month.",
      N("diecast", ("motorbike",), (I9,)), I9, "", "IV", "", "die casting; machining", "ADC12",
      "40,000 sets/month", "1"),
    R("Honda Vietnam", "Pressed and welded frame brackets",
      "Pressed steel brackets for motorcycle frame, SPHC 2.3-3.2 mm, stamping plus MIG welding, "
      "then e-coating or powder coating. Honda quality standard and PPAP documents.",
      N("stamping", ("welding", "steel_sheet"), (I9,)), I9, "", "IV", "", "stamping; MIG welding",
      "SPHC", "25,000 sets/month", "2"),
    R("Honda Vietnam", "Scooter body covers in PP and ABS",
      "Injection moulded PP and ABS body covers for scooter, large size, with painting. "
      "Machines 450-1300 ton needed. Around 30k sets per month.",
      N("injection", ("plastic_pp", "motorbike"), (I9,)), I9, "", "IV", "", "injection moulding",
      "PP; ABS", "30,000 sets/month", "1"),
    R("Honda Vietnam", "Oil seals, O-rings and grommets for engines",
      "Oil seals, O-rings and rubber grommets in NBR and FKM for motorcycle engine. Compression "
      "moulding, tolerance according to JIS B 2401.",
      N("rubber", ("rubber_nbr",)), "", I9, "IV", "", "", "NBR; FKM", "500,000 pcs/month", "2"),
    R("Honda Vietnam", "Decorative nickel-chrome plating",
      "Chrome plating of motorcycle parts (handle bar, mirror bracket, muffler protector). "
      "Nickel-chrome layer, CASS test 24 h. Plating line with wastewater treatment licence "
      "required.", N("plating", ()), "", I14, "IV", "", "chrome plating", "", "60,000 pcs/month",
      "2"),
    R("Honda Vietnam", "Hot forged gear blanks",
      "Hot forged steel blanks SCr420 for transmission gears and shafts, normalising after "
      "forging, shot blasting. About 60 tonnes per month.",
      N("forging", ("steel_bar",)), "", "", "IV", "", "hot forging", "SCr420", "60 t/month", "2"),
    # --- Toyota Motor Vietnam
    R("Toyota Motor Vietnam", "Stamped body brackets and reinforcements",
      "Toyota Motor Vietnam need local supplier for small stamped brackets and reinforcements, "
      "SPCC, SPHC and high tensile 440 MPa, 1.0-3.2 mm. Supplier must hold IATF 16949. Spot "
      "welding sub-assembly is plus.",
      N("stamping", ("steel_sheet", "car"), (IATF,)), IATF, "", "IV", "", "stamping",
      "SPCC; SPHC", "10,000 sets/month", "1"),
    R("Toyota Motor Vietnam", "Robotic welding of seat frames",
      "Robotic MIG welding of seat frame and pipe sub-assembly, steel tube STKM, with own welding "
      "jigs. IATF 16949 required, ISO 14001 preferred.",
      N("welding_fab", ("steel_tube",), (IATF,)), IATF, I14, "IV", "", "robotic welding",
      "STKM steel tube", "8,000 sets/month", "1"),
    R("Toyota Motor Vietnam", "Interior trim injection parts",
      "PP and ABS injection moulded interior trim parts: door trim clips, console box parts. "
      "IATF 16949 required. Texture and colour to Toyota standard.",
      N("injection", ("plastic_pp", "car"), (IATF,)), IATF, "", "IV", "",
      "injection moulding", "PP; ABS", "12,000 sets/month", "1"),
    R("Toyota Motor Vietnam", "EPDM grommets and dust covers",
      "Rubber grommets, dust covers and hoses in EPDM for car. ISO 9001 must, IATF 16949 "
      "preferred.", N("rubber", ("car",), (I9,)), I9, IATF, "IV", "", "", "EPDM",
      "20,000 sets/month", "2"),
    # --- Panasonic Vietnam
    R("Panasonic Vietnam", "Flame-retardant moulded parts for switches and sockets",
      "Panasonic Vietnam is sourcing injection molded parts for switches and sockets, PC and PA66 "
      "flame retardant UL94 V-0, with pad printing of marks. ISO 9001 and RoHS compliance.",
      N("injection", ("plastic_pa", "pad"), (I9,)), I9, "", "III", "",
      "injection molding; pad printing", "PC; PA66", "2,000,000 pcs/month", "2"),
    R("Panasonic Vietnam", "Brass and phosphor bronze stamped terminals",
      "Small stamped terminals in brass C2680 and phosphor bronze for wiring devices, with tin or "
      "silver plating. About 5 million pcs per month.",
      N("stamping", ("copper", "terminals"), (), "vi"), "", I9, "III", "", "stamping",
      "brass; phosphor bronze", "5,000,000 pcs/month", "2"),
    R("Panasonic Vietnam", "Small DC and BLDC fan motors",
      "Small DC and BLDC motors for ventilation fans and air purifiers, 12-24 V. Supplier should "
      "have coil winding, assembly and testing lines.",
      N("motors", ("motors",)), "", I9, "III", "", "", "", "50,000 units/month", "2"),
    # --- ABB Vietnam
    R("ABB Vietnam", "Switchgear enclosures, laser cut and powder coated",
      "ABB Vietnam requests sheet metal fabrication for switchgear enclosures: laser cutting, CNC "
      "bending, welding and powder coating of galvanized steel 1.5-3 mm. ISO 9001 required, "
      "ISO 14001 and ISO 45001 preferred.",
      N("sheetmetal", ("powder", "steel_sheet"), (I9,)), I9, "ISO 14001;ISO 45001", "V", "",
      "laser cutting; bending; powder coating", "galvanized steel", "1,500 enclosures/month",
      "1"),
    R("ABB Vietnam", "Copper busbars for low-voltage switchboards",
      "Copper busbars C1100: cutting, punching, bending and tin or silver plating for low-voltage "
      "switchboards. 3D bending and thickness up to 12 mm.",
      N("sheetmetal", ("copper", "busbars")), "", I9, "V", "", "punching; bending", "C1100",
      "20 t/month", "2"),
    R("ABB Vietnam", "Stainless lost-wax castings for valves and actuators",
      "Investment cast stainless steel CF8M parts for valves and actuators, 0.1-5 kg, machined "
      "and passivated.", N("investment", ("stainless",), (I9,), "vi"), I9, "", "V", "",
      "investment casting", "CF8M stainless", "3,000 pcs/month", "2"),
    R("ABB Vietnam", "Control cables and panel wires",
      "Electric control cables and wires, PVC or XLPE insulated copper, for panel wiring. IEC "
      "60227 compliance and type test reports.",
      N("cable", ("cable",), (I9,)), I9, "", "III", "", "", "copper; PVC; XLPE", "300 km/month",
      "2"),
    R("ABB Vietnam", "Trivalent zinc plating of brackets",
      "Zinc plating, trivalent and RoHS compliant, and zinc-nickel for steel brackets and "
      "fasteners. Salt spray 96 h without red rust.",
      N("plating", ()), "", I14, "V", "", "zinc plating", "steel", "40,000 m2/month", "2"),
    # --- Thaco (Vietnamese)
    R("Thaco", "Dập chi tiết thân vỏ xe tải nhẹ",
      "Thaco cần tìm nhà cung cấp dập các chi tiết thân vỏ, giá đỡ cho xe tải nhẹ, thép tấm dày "
      "1,2–3 mm, máy dập từ 200 tấn. Ưu tiên doanh nghiệp có IATF 16949 hoặc ISO 9001. Sản lượng "
      "5.000 bộ/tháng.",
      N("stamping", ("steel_sheet", "car")), "", f"{IATF};{I9}", "IV", "", "dập", "thép tấm",
      "5.000 bộ/tháng", "2", "vi"),
    R("Thaco", "Gia công trục, bích cho cầu xe buýt",
      "Gia công CNC các chi tiết trục, bích, moay ơ cho cầu xe buýt, vật liệu thép hợp kim 40Cr, "
      "SCM440, có nhiệt luyện. Yêu cầu dung sai ±0,02 mm, có báo cáo đo CMM.",
      N("cnc", ("steel_bar", "heat")), "", I9, "IV", "", "gia công CNC; nhiệt luyện",
      "thép hợp kim", "2.000 chi tiết/tháng", "2", "vi"),
    R("Thaco", "Ép nhựa chi tiết ốp nội thất xe buýt",
      "Ép nhựa các chi tiết ốp nội thất xe buýt bằng nhựa ABS, PP, có sơn hoàn thiện. Sản lượng "
      "nhỏ, nhiều mã. Ưu tiên nhà cung cấp tại Hà Nội hoặc lân cận.",
      N("injection", ("plastic_abs",)), "", "", "IV", "Hà Nội", "ép nhựa", "ABS; PP",
      "1.000 bộ/tháng", "2", "vi"),
    # --- Yamaha Motor Vietnam
    R("Yamaha Motor Vietnam", "Transmission gears and shafts",
      "Yamaha Motor Vietnam look for supplier of transmission gears and shafts for motorcycle: "
      "hobbing, shaving, carburizing heat treatment and grinding. Steel SCM420. ISO 9001 must.",
      N("gears", ("heat",), (I9,)), I9, "", "IV", "", "gear hobbing; carburizing", "SCM420",
      "100,000 pcs/month", "1"),
    R("Yamaha Motor Vietnam", "Low-pressure cast aluminium wheels and brake parts",
      "Low pressure or gravity casting of aluminium wheels and brake caliper parts, A356, X-ray "
      "inspection, T6 heat treatment.", N("gravity", ("aluminium_cast",), (), "vi"), "", I9,
      "IV", "", "low pressure casting", "A356 aluminium", "15,000 pcs/month", "2"),
    R("Yamaha Motor Vietnam", "Springs and special bolts",
      "Compression and torsion springs and special bolts for motorcycle, zinc plated. Cold "
      "heading capability needed.", N("fasteners", ("springs",), (I9,)), I9, "", "IV", "",
      "cold heading", "steel wire", "2,000,000 pcs/month", "2"),
    R("Yamaha Motor Vietnam", "Motorcycle tyres and inner tubes",
      "Motorcycle tyres and inner tubes, sizes 2.50-17 to 90/90-14, for spare parts market. "
      "Natural rubber compound, DOT marking.", N("rubber", ("tyres",)), "", I9, "IV", "", "",
      "natural rubber", "30,000 sets/month", "2"),
    # --- Piaggio Vietnam
    R("Piaggio Vietnam", "Steel tube frame sub-assemblies",
      "Piaggio Vietnam seek supplier for scooter frame sub-assemblies: steel tube bending, robot "
      "MIG welding, e-coating. Jig design capability required.",
      N("welding_fab", ("bending", "steel_tube")), "", I9, "IV", "", "tube bending; welding",
      "steel tube", "6,000 sets/month", "1"),
    R("Piaggio Vietnam", "Painted plastic parts for scooters",
      "Spray painting of injection plastic parts for scooters, high gloss, robot painting booth. "
      "Moulding in house is plus.", N("injection", ("painting",)), "", I9, "IV", "",
      "painting", "ABS; PP", "20,000 sets/month", "2"),
    # --- Brother Industries Vietnam
    R("Brother Industries Vietnam", "Printed plastic parts for printers and label makers",
      "Brother looking for injection moulding of ABS and HIPS parts for printers and label "
      "makers, with pad printing and silk screen printing. Around 80 part numbers.",
      N("injection", ("plastic_abs", "screen")), "", I9, "III", "", "", "ABS; HIPS",
      "400,000 pcs/month", "2"),
    R("Brother Industries Vietnam", "Swiss-type turned parts for sewing machines",
      "Precision turned parts for sewing machines: small shafts, pins and bushings in free-cutting "
      "steel and brass, Swiss-type lathe, +/-0.005 mm.",
      N("turning", ("copper",), (I9,)), I9, "", "V", "", "turning", "brass; free-cutting steel",
      "300,000 pcs/month", "2"),
    # --- LG Electronics Vietnam
    R("LG Electronics Vietnam", "Wire harness for washing machines and TV",
      "LG Electronics Vietnam want to find wire harness makers for washing machine and TV: "
      "crimping, connector housing assembly, 100% electrical test. UL approved wire.",
      N("harness", (), (I9,)), I9, "", "III", "", "wire harness", "", "200,000 sets/month", "2"),
    R("LG Electronics Vietnam", "EPS cushions and cartons for TV",
      "EPS foam cushions and carton for TV packaging 43 to 75 inch, delivery to Hai Phong.",
      N("packaging", ("eps",)), "", "", "III", "", "", "EPS", "80,000 sets/month", "2"),
    R("LG Electronics Vietnam", "EPDM door gaskets for washing machines",
      "Washing machine door gasket and other rubber parts in EPDM. ISO 14001 preferred.",
      N("rubber", ("rubber_nbr",)), "", I14, "III", "", "", "EPDM", "60,000 pcs/month", "2"),
    # --- Hyundai Thanh Cong
    R("Hyundai Thanh Cong", "PP bumpers and large interior parts",
      "Hyundai Thanh Cong is sourcing injected PP bumper and large interior parts for local "
      "assembly. Need injection machines from 1,300 ton, painting line. IATF 16949 preferred.",
      N("injection", ("plastic_pp", "car")), "", IATF, "IV", "", "injection", "PP",
      "3,000 sets/month", "1"),
    R("Hyundai Thanh Cong", "Chassis brackets stamping",
      "Local stamping parts: chassis brackets and reinforcements, press tonnage 300-800 t, "
      "tandem line is plus. IATF 16949 required.",
      N("stamping", ("car",), (IATF,)), IATF, "", "IV", "", "stamping", "", "4,000 sets/month",
      "1"),
    # --- VinFast (mostly Vietnamese)
    R("VinFast", "Bó dây điện cho xe máy điện",
      "VinFast tìm nhà cung cấp bó dây điện cho xe máy điện, bấm đầu cos tự động, kiểm tra thông "
      "mạch 100%. Bắt buộc có chứng nhận IATF 16949.",
      N("harness", (), (IATF,)), IATF, "", "IV", "", "bó dây điện", "", "20.000 bộ/tháng", "1",
      "vi"),
    R("VinFast", "Thanh nhôm định hình cho vỏ pin xe điện",
      "Cần nhà cung cấp thanh nhôm định hình 6063/6061 cho vỏ pin và khung xe máy điện, có anod "
      "hóa và gia công CNC cắt, khoan.",
      N("al_extrusion", ("anodising",)), "", I9, "IV", "", "ép đùn nhôm; anod hóa",
      "nhôm 6063; 6061", "50 tấn/tháng", "2", "vi"),
    R("VinFast", "HPDC e-motor housings",
      "VinFast seeks HPDC supplier for aluminium e-motor housings and controller covers, with CNC "
      "machining and impregnation. IATF 16949 required.",
      N("diecast", ("cnc",), (IATF,)), IATF, "", "IV", "", "HPDC; CNC machining", "aluminium",
      "10,000 pcs/month", "1"),
    # --- Denso Vietnam
    R("Denso Vietnam", "Precision machined parts for sensors",
      "Denso need precision machined aluminum and brass parts for sensors, turning and milling, "
      "tolerance +/-0.005 mm, CMM inspection report each lot. ISO 9001 required, IATF 16949 "
      "preferred.", N("cnc", ("cmm",), (I9,)), I9, IATF, "IV", "", "turning; milling",
      "aluminum; brass", "50,000 pcs/month", "2"),
    R("Denso Vietnam", "Carburizing and induction hardening subcontract",
      "Subcontract vacuum carburizing and induction hardening for steel pinions and shafts, "
      "hardness HRC 58-62, case depth 0.6-0.9 mm.", N("heat", (), (), "vi"), "", I9, "V", "",
      "carburizing; induction hardening", "steel", "30 t/month", "2"),
    R("Denso Vietnam", "Copper alloy terminals and lead frames",
      "Progressive stamping of copper alloy terminals and lead frames for automotive sensors, "
      "tin plating. IATF 16949 preferred.", N("stamping", ("copper", "terminals")), "", IATF,
      "IV", "", "progressive stamping", "copper alloy", "3,000,000 pcs/month", "2"),
    # --- Sumitomo Electric
    R("Sumitomo Electric Wiring Systems", "Automotive wire harness sub-assembly",
      "Sumitomo Electric Wiring Systems Vietnam look for subcontractor for automotive wire harness "
      "sub-assembly, crimping and taping. IATF 16949 preferred.",
      N("harness", ("car",)), "", IATF, "IV", "", "crimping; taping", "", "50,000 sets/month",
      "2"),
    R("Sumitomo Electric Wiring Systems", "PBT and PA66 connector housings",
      "Injection moulding of connector housings in PBT and PA66 GF30, precision +/-0.02 mm, "
      "multi-cavity moulds.", N("injection", ("plastic_pa",), (I9,)), I9, "", "IV", "",
      "injection moulding", "PBT; PA66 GF30", "1,000,000 pcs/month", "2"),
    R("Sumitomo Electric Wiring Systems", "Low-voltage automotive wire",
      "Need supply of automotive low-voltage electric wire (AVSS, CAVS) and copper cable.",
      N("cable", ("cable",)), "", I9, "IV", "", "", "copper", "1,000 km/month", "2"),
    # --- Nidec
    R("Nidec Vietnam", "Stator and rotor laminations",
      "Nidec Vietnam find supplier for stator and rotor laminations, electrical steel 0.35-0.5 "
      "mm, high speed progressive stamping with interlock. Burr less than 0.03 mm.",
      N("stamping", ("electrical_steel", "laminations"), (I9,)), I9, "", "III", "",
      "progressive stamping", "electrical steel", "2,000,000 pcs/month", "2"),
    R("Nidec Vietnam", "Ground stainless shafts for small motors",
      "Precision stainless shafts for small motors, SUS420J2, centerless grinding, roundness 1 "
      "micron.", N("turning", ("stainless", "grinding")), "", I9, "III", "",
      "centerless grinding", "SUS420J2", "500,000 pcs/month", "2"),
    R("Nidec Vietnam", "Assembly jigs and small automation machines",
      "Design and build of assembly jigs and small automation machines for motor lines, "
      "pneumatic and servo.", N("jig", ("machines",)), "", "", "VI", "", "", "",
      "10 machines/year", ""),
    # --- Foxconn
    R("Foxconn", "Anodized CNC aluminium housings",
      "Foxconn request CNC machining of aluminum 6061/6063 housings and brackets for networking "
      "devices, anodizing in black and silver, cosmetic surface.",
      N("cnc", ("aluminium", "anodising"), (I9,)), I9, "", "III", "", "CNC machining; anodizing",
      "aluminum 6061", "100,000 pcs/month", "2"),
    R("Foxconn", "PCBA for IoT modules",
      "SMT and THT PCBA subcontract for IoT modules, IPC-A-610 class 2. ISO 9001 and QC 080000 "
      "required.", N("smt", (), (I9, QC)), f"{I9};{QC}", "", "III", "", "SMT; THT", "",
      "50,000 boards/month", "2"),
    R("Foxconn", "Test fixtures and jigs",
      "Jigs and test fixtures (ICT, functional test), machined from POM, bakelite and aluminium. "
      "Fast delivery in one week.", N("jig", ("fixtures",)), "", "", "III", "", "", "",
      "30 sets/month", "2"),
    # --- Meiko Electronics
    R("Meiko Electronics", "Spare parts for PCB production machines",
      "Meiko Electronics Vietnam at Thach That want local machine shop for spare parts of PCB "
      "production machines: rollers, shafts and brackets in SUS304 and PP. Short lead time.",
      N("cnc", ("stainless",)), "", "", "III", "Hà Nội", "machining", "SUS304; PP",
      "500 parts/month", "2"),
    # --- Fujifilm Business Innovation
    R("Fujifilm Business Innovation Vietnam", "POM and PC/ABS parts for multifunction printers",
      "Injection molding of PC/ABS and POM parts for multifunction printers and toner cartridge, "
      "tolerance +/-0.03 mm. ISO 9001 and ISO 14001 required.",
      N("injection", ("plastic_pom",), (I9, I14)), f"{I9};{I14}", "", "III", "",
      "injection molding", "POM; PC/ABS", "600,000 pcs/month", "2"),
    R("Fujifilm Business Innovation Vietnam", "Zinc plated sheet-metal parts for copiers",
      "Stamped sheet metal parts SECC/SPCC for copier frames, electro zinc plating, tapping and "
      "rivet assembly included.", N("stamping", ("steel_sheet", "plating")), "", I9, "III", "",
      "stamping; zinc plating", "SECC; SPCC", "200,000 pcs/month", "2"),
    # --- Garment buyers
    R("Hanesbrands Vietnam", "Dyed cotton and CVC jersey",
      "Hanesbrands requests dyed knit fabrics: 100% cotton and CVC jersey and rib, 140-200 gsm, "
      "reactive dyeing. OEKO-TEX Standard 100 preferred.", N("knitting", ("dyeing",)), "", "",
      "I", "", "knitting; dyeing", "cotton; CVC", "150 t/month", "1"),
    R("Hanesbrands Vietnam", "Elastic waistbands and labels",
      "Trims: woven elastic waistbands, care labels and heat transfer labels for underwear, around "
      "2 million pcs per month.", N("accessories", ()), "", "", "I", "", "", "",
      "2,000,000 pcs/month", "2"),
    R("Hanesbrands Vietnam", "Combed cotton yarn Ne 30/1 and 40/1",
      "Combed cotton yarn Ne 30/1 and Ne 40/1 for circular knitting, 200 tonnes per month, "
      "consistent count CV%.", N("spinning", (), (), "vi"), "", "", "I", "", "", "cotton",
      "200 t/month", "2"),
    R("Tổng Công ty May 10", "Vải dệt thoi cho áo sơ mi",
      "May 10 cần nguồn vải dệt thoi cotton và TC cho áo sơ mi, khổ 1,5 m, đã nhuộm và hoàn tất "
      "chống nhăn. Số lượng 300.000 m/tháng.", N("weaving", ("dyeing",)), "", "", "I", "",
      "dệt thoi; nhuộm", "cotton; TC", "300.000 m/tháng", "2", "vi"),
    R("Tổng Công ty May 10", "Cúc áo, khóa kéo và nhãn dệt",
      "Cần nhà cung cấp cúc áo, khóa kéo, nhãn dệt cho hàng sơ mi và quần âu xuất khẩu, giao "
      "hàng tại Hà Nội.", N("accessories", ()), "", "", "I", "Hà Nội", "", "",
      "1.000.000 chiếc/tháng", "2", "vi"),
    R("Hanosimex", "Nhuộm và hoàn tất vải dệt kim",
      "Tổng công ty Dệt may Hà Nội (Hanosimex) cần đối tác nhuộm và hoàn tất vải dệt kim, công "
      "suất 50 tấn/tháng, hệ thống xử lý nước thải đạt chuẩn.", N("dyeing", ()), "", I14, "I",
      "", "nhuộm; hoàn tất", "vải dệt kim", "50 tấn/tháng", "2", "vi"),
    # --- Footwear buyers
    R("Pou Chen Vietnam", "Rubber outsoles and EVA midsoles",
      "Pou Chen Vietnam sourcing rubber outsoles and EVA/phylon midsoles for sport shoes, hot "
      "pressing, colour matching to buyer standard.", N("soles", ("eva",)), "", "", "II", "",
      "", "rubber; EVA", "300,000 pairs/month", "1"),
    R("Pou Chen Vietnam", "Finished cowhide for shoe uppers",
      "Finished cowhide leather for sports shoe uppers, chrome-free preferred, LWG certified "
      "tannery is plus.", N("tanning", (), (), "vi"), "", "", "II", "", "", "cowhide",
      "100,000 sqft/month", "1"),
    R("Changshin Vietnam", "PU and microfiber synthetic leather",
      "PU and microfiber synthetic leather for shoe uppers, 0.8-1.4 mm, REACH compliant.",
      N("synthetic", ()), "", "", "II", "", "", "PU; microfiber", "200,000 m/month", "2"),
    R("Changshin Vietnam", "Insoles, laces and toe puffs",
      "Changshin need insoles, shoe laces and toe puffs for running shoes, stable quality and "
      "colour.", N("footwear_comp", ()), "", "", "II", "", "", "", "500,000 pairs/month", "2"),
    # --- High-tech buyers
    R("Hanwha Aero Engines", "5-axis machined titanium and Inconel parts",
      "Hanwha Aero Engines in Hoa Lac search Vietnamese partner for 5-axis machining of titanium "
      "and Inconel parts, strict CMM inspection. ISO 9001 required, AS9100 is plus.",
      N("precision", ("titanium",), (I9,)), I9, "", "VI", "", "5-axis machining",
      "titanium; Inconel", "500 parts/month", "1"),
    R("B. Braun Vietnam", "Clean-room moulded medical components",
      "B. Braun Vietnam in Thanh Oai looking for injection moulding of medical-grade PP and PC "
      "components in clean room ISO class 8. ISO 13485 required.",
      N("injection", ("medical",), (I13,)), I13, I14, "VI", "Hà Nội", "injection moulding",
      "PP; PC", "1,000,000 pcs/month", "1"),
    # --- Domestic and tier-1 buyers
    R("Goshi Thăng Long", "Progressive stamping dies",
      "Goshi Thang Long need die maker for progressive stamping dies for motorcycle parts, SKD11 "
      "inserts, wire EDM and grinding. Try-out on our press.", N("mould", ("edm",)), "", I9,
      "V", "Hà Nội", "die making; wire EDM", "SKD11", "2 dies/month", "2"),
    R("VEAM", "Đúc gang vỏ hộp số máy nông nghiệp",
      "Tổng công ty Máy động lực và Máy nông nghiệp (VEAM) cần nhà cung cấp đúc gang xám, gang "
      "cầu các chi tiết vỏ hộp số, thân bơm cho máy nông nghiệp, có gia công cơ khí.",
      N("foundry", ("cast_iron",)), "", I9, "V", "", "đúc gang", "gang xám; gang cầu",
      "80 tấn/tháng", "2", "vi"),
    R("EEMC Đông Anh", "Gia công vỏ máy biến áp",
      "Tổng công ty Thiết bị điện Đông Anh cần đơn vị gia công kết cấu vỏ máy biến áp: cắt "
      "plasma/laser, chấn, hàn và sơn, thép tấm dày 3–10 mm.",
      N("sheetmetal", ("welding",), (I9,)), I9, "", "V", "Hà Nội", "cắt; chấn; hàn; sơn",
      "thép tấm", "200 tấn/tháng", "2", "vi"),
    R("Honda Vietnam", "Anodised aluminium extrusions for carriers",
      "Extruded aluminium profiles for motorcycle rear carrier and footrest, 6063-T5, anodised "
      "silver, cut and CNC drilled.", N("al_extrusion", ("anodising",)), "", I9, "IV", "",
      "aluminium extrusion; anodising", "6063", "20,000 sets/month", "2"),
    R("ABB Vietnam", "Powder coated and e-coated steel parts",
      "Surface finishing subcontract: powder coating (RAL 7035) and e-coating of steel parts for "
      "breakers and drives, film thickness 60-80 micron.", N("coating", ("ecoat",)), "", I9, "V",
      "", "powder coating; e-coating", "steel", "30,000 m2/month", "2"),
    R("Canon Vietnam", "CMM measurement and jig making service",
      "Canon Vietnam want to find local partner for gauges and checking fixtures with CMM "
      "measurement report, for plastic and sheet metal parts.", N("jig", ("cmm",)), "", I9,
      "V", "", "", "", "20 sets/month", "2"),
    R("Samsung Electronics Vietnam", "Stamped brackets for appliances (SECC)",
      "Stamping of SECC and stainless brackets for monitors and network equipment, with "
      "Samsung Eco-Partner registration; ISO 14001 also required.",
      N("stamping", ("steel_sheet",), (ECO, I14)), f"{ECO};{I14}", "", "III", "", "stamping",
      "SECC; SUS", "800,000 pcs/month", "2"),
]
del R, N
# fmt: on

# Archetypes that exist only as needs above: define them here so the seeds can be drawn.
ARCHETYPES["welding_fab"] = Archetype(
    "welding_fab",
    ("welding",),
    ("bending", "jig", "laser", "ecoat"),
    ("steel_tube", "steel_sheet"),
    ("car", "motorbike", "brackets", "chassis"),
    ("auto", "mechanical"),
    (
        (
            "{n} robot hàn MIG (Panasonic, Yaskawa), máy uốn ống CNC và đồ gá tự chế tạo.",
            "{n} MIG welding robots (Panasonic, Yaskawa), CNC tube benders and in-house jigs.",
        ),
    ),
    ("bộ/tháng", "sets/month", 5, 80),
    (("Cơ khí Hàn", "Welding"), ("Cơ khí", "Engineering")),
)


# --------------------------------------------------------------------------------------------
# Supplier generation
# --------------------------------------------------------------------------------------------
@dataclass
class Firm:
    """A supplier being built; ``keys`` are the TERMS keys it lists (generator-internal)."""

    arch: Archetype
    group: str
    lang: str  # "vi", "en" or "both"
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    certs: set[str] = field(default_factory=set)
    row: dict[str, str] = field(default_factory=dict)
    spellings: dict[tuple[str, str], str] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)

    @property
    def keys(self) -> set[str]:
        return set(self.processes) | set(self.materials) | set(self.products)


def ascii_fold(text: str) -> str:
    """Strip Vietnamese diacritics (for e-mail addresses only)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def term(rng: random.Random, f: Firm, key: str, lang: str) -> str:
    """One spelling of a vocabulary key in ``vi`` or ``en``, the same everywhere in a profile."""
    if (key, lang) not in f.spellings:
        vi, en = TERMS[key]
        f.spellings[key, lang] = rng.choice(vi if lang == "vi" else en)
    return f.spellings[key, lang]


def join_words(items: list[str], lang: str) -> str:
    """Join a list the way people write it: 'a, b và c' / 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    last = " và " if lang == "vi" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def pick_lang(rng: random.Random) -> str:
    """Description language: ~60% Vietnamese only, ~25% English only, ~15% both."""
    x = rng.random()
    return "vi" if x < 0.60 else "en" if x < 0.85 else "both"


def draw_capabilities(rng: random.Random, firm: Firm, must: tuple[str, ...]) -> None:
    """Choose processes, materials and products; ``must`` keys are always included."""
    a = firm.arch
    procs = list(a.core) + rng.sample(a.extras, k=min(len(a.extras), rng.choice([0, 1, 1, 2, 3])))
    mats = rng.sample(a.materials, k=min(len(a.materials), rng.randint(1, 3)))
    prods = rng.sample(a.products, k=min(len(a.products), rng.randint(1, 3)))
    for key in must:
        target = procs if key in a.core + a.extras else mats if key in a.materials else prods
        if key not in target:
            target.append(key)
    firm.processes, firm.materials, firm.products = procs, mats, prods


def draw_certs(rng: random.Random, firm: Firm, required: tuple[str, ...]) -> None:
    """Certificates at realistic rates, plus whatever the seed's need requires."""
    certs: set[str] = set(required)
    if rng.random() < 0.24:
        certs.add(I9)
    if I9 in certs and rng.random() < 0.40:
        certs.add(I14)
    if rng.random() < 0.025:
        certs.add("ISO 45001")
    if firm.group == "auto" and rng.random() < 0.08:
        certs.add(IATF)
    if firm.group == "electronics":
        if rng.random() < 0.10:
            certs.add(QC)
        if rng.random() < 0.05:
            certs.add(ECO)
        if rng.random() < 0.03:
            certs.add("RBA")
    if firm.group == "hightech" and rng.random() < 0.05:
        certs.add(I13)
    if certs & {IATF, ECO, I13}:
        certs.add(I9)  # these schemes presuppose a working ISO 9001 system
    firm.certs = certs


def cert_text(rng: random.Random, certs: set[str]) -> str:
    """Write certificates messily, as firms type them into forms."""
    order = [c for c in CERT_SPELLINGS if c in certs]
    return ";".join(rng.choice(CERT_SPELLINGS[c]) for c in order)


def fill_template(rng: random.Random, f: Firm, template: str) -> str:
    """Fill equipment placeholders; numbers are drawn once per firm so sentences agree."""
    if not f.numbers:
        staff = int(f.row["employees"])  # machine counts scale with the workforce
        a = rng.choice([30, 45, 60, 80, 100, 120, 150, 200, 250])
        f.numbers = {
            "n": rng.randint(2, max(3, min(30, staff // 6))),
            "m": rng.randint(2, max(3, min(12, staff // 15))),
            "a": a,
            "b": a * rng.choice([2, 3, 4, 5]),
            "k": rng.choice([2, 3, 4, 6, 8, 12]),
            "t": rng.choice([2, 3, 5, 10]),
            "w": rng.choice([160, 190, 230, 280]),
        }
    return template.format(**f.numbers)


# Casting, forging, moulded rubber and blow moulding quote no machining tolerance in a profile.
AS_CAST = {"gravity", "foundry", "investment", "forging", "rubber", "blow"}


def capacity_text(rng: random.Random, f: Firm, lang: str) -> str:
    """Monthly capacity in the unit of the trade, local number format; one value per firm."""
    vi_unit, en_unit, low, high = f.arch.capacity
    if ("cap", "value") not in f.spellings:
        value = rng.randint(low, high)
        # piece-like units are given in thousands; tonnes, km, moulds and jig sets are not
        if not any(u in vi_unit for u in ("tấn", "triệu", "km", "khuôn", "đồ gá")):
            value *= 1000
        f.spellings["cap", "value"] = str(value)
    value = int(f.spellings["cap", "value"])
    if lang == "vi":
        return f"{value:,}".replace(",", ".") + f" {vi_unit}"
    return f"{value:,} {en_unit}"


def vi_sentences(rng: random.Random, f: Firm, short: str) -> list[str]:
    """Vietnamese capability sentences, most important first."""
    r = f.row
    procs = join_words([term(rng, f, k, "vi") for k in f.processes], "vi")
    prods = join_words([term(rng, f, k, "vi") for k in f.products], "vi")
    mats = join_words([term(rng, f, k, "vi") for k in f.materials], "vi")
    sector = SECTOR_WORDS[f.group][0]
    years = 2026 - int(r["founded_year"])
    intro = rng.choice(
        [
            f"{short} được thành lập năm {r['founded_year']}, chuyên {procs}, sản xuất {prods} cho "
            f"ngành {sector}.",
            f"Thành lập từ năm {r['founded_year']}, công ty hoạt động trong lĩnh vực {procs}, "
            f"cung cấp {prods}.",
            f"Với {years} năm kinh nghiệm, chúng tôi chuyên {procs} các sản phẩm {prods}.",
            f"Công ty là nhà sản xuất {prods}, thế mạnh là {procs}.",
            f"Doanh nghiệp chuyên sản xuất {prods} bằng công nghệ {procs} phục vụ ngành {sector}.",
        ]
    )
    out = [intro]
    out.append(
        rng.choice(
            [
                f"Vật liệu gia công chính: {mats}.",
                f"Nguyên liệu sử dụng gồm {mats}.",
                f"Chúng tôi làm việc chủ yếu với {mats}.",
            ]
        )
    )
    eq = rng.sample(f.arch.equipment, k=min(2, len(f.arch.equipment)))
    out += [fill_template(rng, f, vi) for vi, _ in eq]
    if f.arch.tolerance and f.arch.key not in AS_CAST and rng.random() < 0.6:
        tol = rng.choice(["0,01", "0,02", "0,005", "0,05", "0,03"])
        out.append(
            rng.choice(
                [
                    f"Dung sai đạt ±{tol} mm.",
                    f"Độ chính xác tới ±{tol} mm, kiểm soát bằng máy đo 3D.",
                ]
            )
        )
    cap = capacity_text(rng, f, "vi")
    out.append(rng.choice([f"Công suất khoảng {cap}.", f"Năng lực sản xuất {cap}."]))
    if r["customers"]:
        cust = r["customers"].replace(";", ", ")
        out.append(
            rng.choice([f"Khách hàng tiêu biểu: {cust}.", f"Hiện đang cung cấp cho {cust}."])
        )
    if f.certs:
        names = join_words(sorted(f.certs), "vi")
        out.append(
            rng.choice([f"Hệ thống quản lý đạt {names}.", f"Công ty đã được chứng nhận {names}."])
        )
    elif rng.random() < 0.25:
        out.append("Công ty đang xây dựng hệ thống quản lý chất lượng theo ISO 9001.")
    out.append(
        f"Đội ngũ {r['employees']} lao động, trong đó có "
        f"{max(2, int(r['employees']) // rng.randint(8, 20))} kỹ sư."
    )
    return out


def en_sentences(rng: random.Random, f: Firm, short: str) -> list[str]:
    """English capability sentences, most important first."""
    r = f.row
    procs = join_words([term(rng, f, k, "en") for k in f.processes], "en")
    prods = join_words([term(rng, f, k, "en") for k in f.products], "en")
    mats = join_words([term(rng, f, k, "en") for k in f.materials], "en")
    sector = SECTOR_WORDS[f.group][1]
    years = 2026 - int(r["founded_year"])
    short = "The company" if short == "Công ty" else short
    intro = rng.choice(
        [
            f"{short} was founded in {r['founded_year']} and specialises in {procs} of {prods} "
            f"for the {sector} industry.",
            f"Established in {r['founded_year']}, we provide {procs} and supply {prods}.",
            f"With {years} years of experience, our core business is {procs} for {prods}.",
            f"We are a {sector} supplier of {prods}; key processes: {procs}.",
            f"Our factory produces {prods} using {procs}.",
        ]
    )
    out = [intro]
    out.append(
        rng.choice(
            [f"Main materials: {mats}.", f"We process {mats}.", f"Typical materials are {mats}."]
        )
    )
    eq = rng.sample(f.arch.equipment, k=min(2, len(f.arch.equipment)))
    out += [fill_template(rng, f, en) for _, en in eq]
    if f.arch.tolerance and f.arch.key not in AS_CAST and rng.random() < 0.6:
        tol = rng.choice(["0.01", "0.02", "0.005", "0.05", "0.03"])
        out.append(
            rng.choice(
                [
                    f"Tolerances down to +/-{tol} mm.",
                    f"Typical tolerance is ±{tol} mm with full inspection.",
                ]
            )
        )
    cap = capacity_text(rng, f, "en")
    out.append(rng.choice([f"Capacity is about {cap}.", f"Monthly output: {cap}."]))
    if r["customers"]:
        cust = r["customers"].replace(";", ", ")
        out.append(rng.choice([f"Customers include {cust}.", f"We currently supply {cust}."]))
    if f.certs:
        names = join_words(sorted(f.certs), "en")
        out.append(rng.choice([f"Certified to {names}.", f"Our QMS holds {names}."]))
    out.append(f"{r['employees']} employees.")
    return out


def fit_words(sentences: list[str], low: int, high: int, min_keep: int = 3) -> str:
    """Keep sentences in order, dropping later optional ones until the word count fits."""
    kept = list(sentences)
    while len(" ".join(kept).split()) > high and len(kept) > min_keep:
        kept.pop(len(kept) - 2)  # drop the penultimate sentence, keep the closing one
    text = " ".join(kept)
    if len(text.split()) < low:
        text = " ".join(sentences)
    return text


def describe(rng: random.Random, f: Firm, short: str) -> str:
    """The capability profile, 40–120 words, in the firm's language(s)."""
    r = f.row
    if f.lang == "vi":
        text = fit_words(vi_sentences(rng, f, short), 40, 115)
    elif f.lang == "en":
        text = fit_words(en_sentences(rng, f, short), 40, 115)
    else:
        vi = fit_words(vi_sentences(rng, f, short)[:6], 20, 62, min_keep=2)
        en = fit_words(en_sentences(rng, f, short)[:5], 15, 52, min_keep=2)
        text = f"{vi} {en}"
    if len(text.split()) < 40:  # a short profile still says where the factory is
        where = r["industrial_park"] or r["district"]
        text += (
            f" Factory located in {where}, {r['province']}; ready for audits and trial orders."
            if f.lang == "en"
            else f" Nhà máy đặt tại {where}, {r['province']}, sẵn sàng đón khách hàng đến đánh giá."
        )
    return text


class NameBook:
    """Unique company names and tax codes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.brands: set[str] = set()
        self.tax_codes: set[str] = set()

    def brand(self) -> str:
        while True:
            b = " ".join(self.rng.sample(BRAND_SYLLABLES, 2))
            if b not in self.brands:
                self.brands.add(b)
                return b

    def tax_code(self, branch: bool) -> str:
        while True:
            code = "01" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            if branch:
                code += f"-{self.rng.randint(1, 3):03d}"
            if code not in self.tax_codes:
                self.tax_codes.add(code)
                return code


def name_firm(rng: random.Random, book: NameBook, f: Firm) -> tuple[str, str, str]:
    """Return (Vietnamese name, English trade name or '', short name used in descriptions)."""
    vi_word, en_word = rng.choice(f.arch.names)
    if f.row["ownership"] in ("fdi", "jv"):
        pool = FOREIGN_BRANDS["ko" if "ko" in f.row["languages"] else "ja"]
        free = [b for b in pool if b not in book.brands] or [book.brand()]
        brand = rng.choice(free)
        book.brands.add(brand)
        suffix = "" if brand.endswith("Vina") else " Việt Nam"
        name_en = f"{brand} Co., Ltd" if brand.endswith("Vina") else f"{brand} Vietnam Co., Ltd"
        return f"Công ty TNHH {brand}{suffix}", name_en, brand
    brand = book.brand()
    kind = rng.choices(["TNHH", "CP", "CTCP", "MTV"], weights=[45, 25, 15, 15])[0]
    prefix = {
        "TNHH": "Công ty TNHH",
        "CP": "Công ty Cổ phần",
        "CTCP": "CTCP",
        "MTV": "Công ty TNHH MTV",
    }[kind]
    if rng.random() < 0.2:
        name = f"{prefix} {vi_word} {brand}"
    elif rng.random() < 0.3:
        name = f"{prefix} Sản xuất và Thương mại {vi_word} {brand}"
    else:
        name = f"{prefix} {vi_word} {brand}"
    en_kind = {"TNHH": "Co., Ltd", "CP": "JSC", "CTCP": "JSC", "MTV": "One Member Co., Ltd"}[kind]
    en_brand = ascii_fold(brand)
    name_en = f"{en_brand} {en_word} {en_kind}" if rng.random() < 0.55 else ""
    short = rng.choice([f"{vi_word} {brand}", brand, "Công ty"])
    return name, name_en, short


def person(rng: random.Random) -> tuple[str, str]:
    """A Vietnamese contact name and the local part of an e-mail address."""
    fam, mid, giv = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
    local = f"{ascii_fold(giv)}.{ascii_fold(fam)[0]}{ascii_fold(mid)[0]}".lower()
    return f"{fam} {mid} {giv}", local


def employees(rng: random.Random) -> int:
    """88% SMEs (<=300 workers, DOMAIN.md), log-uniform so most firms are small."""
    if rng.random() < 0.88:
        return round(15 * (300 / 15) ** rng.random())
    return rng.randint(301, 1500)


def build_row(rng: random.Random, book: NameBook, f: Firm) -> None:
    """Fill every CSV column of a firm except supplier_id and description."""
    r = f.row
    own = rng.choices(["domestic", "fdi", "jv"], weights=[82, 13, 5])[0]
    r["ownership"] = own
    if own == "domestic":
        r["languages"] = rng.choices(["vi", "vi;en"], weights=[65, 35])[0]
    else:
        r["languages"] = rng.choice(["vi;ja", "vi;ko", "vi;ja;en", "vi;ko;en", "vi;en"])
    if f.lang in ("en", "both") and "en" not in r["languages"]:
        r["languages"] += ";en"
    r["name"], r["name_en"], short = name_firm(rng, book, f)
    r["tax_code"] = book.tax_code(branch=rng.random() < 0.03)
    province = rng.choices(list(DISTRICTS), weights=[88, 4, 3, 3, 2])[0]
    weights = DISTRICT_WEIGHTS if province == "Hà Nội" else None
    district, parks = rng.choices(DISTRICTS[province], weights=weights)[0]
    if f.group == "hightech" and province == "Hà Nội" and rng.random() < 0.5:
        district, parks = "Thạch Thất", ["Khu CNC Hòa Lạc"]
    r["province"], r["district"], r["industrial_park"] = province, district, rng.choice(parks)
    r["employees"] = str(employees(rng))
    r["founded_year"] = str(rng.randint(1995, 2022))
    r["tier"] = rng.choices(["1", "2", "3", ""], weights=[12, 45, 28, 15])[0]
    if r["tier"] == "3" or rng.random() < 0.15:
        customers = rng.sample(DOMESTIC_CUSTOMERS, k=rng.randint(1, 2))
    else:
        customers = rng.sample(CUSTOMERS[f.group], k=rng.randint(1, 3))
    r["customers"] = ";".join(customers) if rng.random() < 0.9 else ""
    codes = [SECTOR_CODE[f.group]]
    if rng.random() < 0.2:
        other = rng.choice([g for g in f.arch.groups if g != f.group] or [f.group])
        if SECTOR_CODE[other] not in codes:
            codes.append(SECTOR_CODE[other])
    r["sector"] = ";".join(codes)
    contact, local = person(rng)
    domain = ascii_fold(short if short != "Công ty" else r["name"].split()[-1]).lower()
    r["contact_name"] = contact
    r["contact_email"] = f"{local}@{domain.replace(' ', '')}.example.vn"
    r["contact_phone"] = (
        f"09{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    )
    if rng.random() < 0.07:
        scores = [""] * 7  # firms that have not been scored yet
    else:
        base = rng.randint(3, 8)
        scores = [str(max(0, min(10, base + rng.randint(-2, 2)))) for _ in range(7)]
    for i, s in enumerate(scores, start=1):
        r[f"criteria_{i}"] = s
    r["priority_product"] = "1" if rng.random() < 0.30 else "0"
    r["key_product"] = "1" if rng.random() < 0.15 else "0"
    lang_col = "en" if f.lang == "en" else "vi"
    r["processes"] = ";".join(term(rng, f, k, lang_col) for k in f.processes)
    r["materials"] = ";".join(term(rng, f, k, lang_col) for k in f.materials)
    r["products"] = ";".join(term(rng, f, k, lang_col) for k in f.products)
    r["certifications"] = cert_text(rng, f.certs)
    r["monthly_capacity"] = capacity_text(rng, f, lang_col)
    r["description"] = describe(rng, f, short)


def new_firm(rng: random.Random, arch: Archetype, group: str, need: Need | None) -> Firm:
    """Draw one firm of an archetype; a need forces terms, certificates and language."""
    lang = need.lang if need and need.lang else pick_lang(rng)
    f = Firm(arch=arch, group=group, lang=lang)
    draw_capabilities(rng, f, need.must if need else ())
    draw_certs(rng, f, need.certs if need else ())
    return f


def seed_group(rng: random.Random, arch: Archetype, need: Need, sector: str) -> str:
    """Sector group for a seed firm: automotive needs give automotive firms."""
    if IATF in need.certs or "car" in need.must:
        return "auto"
    by_code = {v: k for k, v in SECTOR_CODE.items()}
    wanted = by_code.get(sector.split(";")[0], "")
    if wanted in arch.groups and rng.random() < 0.6:
        return wanted
    return rng.choice(arch.groups)


def make_firms(rng: random.Random) -> list[Firm]:
    """Three seed firms per requirement need, then random firms up to each sector's share."""
    firms: list[Firm] = []
    for req in REQUIREMENTS:
        arch = ARCHETYPES[req.need.arch]
        for _ in range(3):
            group = seed_group(rng, arch, req.need, req.sector)
            firms.append(new_firm(rng, arch, group, req.need))
    counts = Counter(f.group for f in firms)
    by_group = {g: [a for a in ARCHETYPES.values() if g in a.groups] for g in SECTOR_SHARE}
    for group, share in SECTOR_SHARE.items():
        for _ in range(max(0, round(share * N_SUPPLIERS) - counts[group])):
            firms.append(new_firm(rng, rng.choice(by_group[group]), group, None))
    while len(firms) < N_SUPPLIERS:  # rounding: top up with mechanical firms
        firms.append(new_firm(rng, rng.choice(by_group["mechanical"]), "mechanical", None))
    return firms


def check_coverage(firms: list[Firm]) -> None:
    """Fail loudly if any requirement has fewer than three firms that meet its need."""
    for i, req in enumerate(REQUIREMENTS, start=1):
        n = req.need
        hits = [
            f
            for f in firms
            if f.arch.key == n.arch and set(n.must) <= f.keys and set(n.certs) <= f.certs
        ]
        if len(hits) < 3:
            raise RuntimeError(f"R{i:03d} has only {len(hits)} covering suppliers")


def add_imperfections(rng: random.Random, rows: list[dict[str, str]]) -> None:
    """A handful of messy-but-valid cells, as in real registration spreadsheets."""
    picks = rng.sample(range(len(rows)), 12)
    for i in picks[:3]:  # stray whitespace
        rows[i]["description"] = "  " + rows[i]["description"].replace(". ", ".  ", 1) + " "
    for i in picks[3:5]:  # name typed in capitals
        rows[i]["name"] = rows[i]["name"].upper()
    for i in picks[5:7]:  # district typed without diacritics
        rows[i]["district"] = ascii_fold(rows[i]["district"])
    for i in picks[7:9]:  # spaces around list separators
        rows[i]["processes"] = rows[i]["processes"].replace(";", " ; ")
    for i in picks[9:11]:  # certificate list in upper case
        rows[i]["certifications"] = rows[i]["certifications"].upper()
    rows[picks[11]]["name_en"] = " " + rows[picks[11]]["name_en"] + " "


def build_suppliers(rng: random.Random) -> list[dict[str, str]]:
    """All supplier rows, shuffled so seed firms are not grouped by requirement."""
    firms = make_firms(rng)
    check_coverage(firms)
    rng.shuffle(firms)
    book = NameBook(rng)
    rows = []
    for i, f in enumerate(firms, start=1):
        build_row(rng, book, f)
        f.row["supplier_id"] = f"S{i:04d}"
        rows.append({c: unicodedata.normalize("NFC", f.row[c]) for c in SUPPLIER_COLUMNS})
    add_imperfections(rng, rows)
    return rows


CLOSINGS = {
    "en": [
        "Please send company profile, machine list and main customers.",
        "Samples are needed within 6 weeks after drawing release.",
        "We will visit short-listed factories for audit before RFQ.",
        "Local supplier in the north of Vietnam is preferred for logistics.",
        "Price must be competitive with current import from Thailand and China.",
    ],
    "vi": [
        "Đề nghị gửi hồ sơ năng lực, danh sách máy móc và khách hàng hiện tại.",
        "Nhà cung cấp cần giao mẫu thử trong vòng 4 tuần.",
        "Chúng tôi sẽ đánh giá nhà máy trước khi đặt hàng chính thức.",
    ],
}


def complete_description(i: int, r: Requirement) -> str:
    """Add what a buyer's form would state anyway: required certificates, volume, a closing.

    Keeps short hand-written requests inside 20–80 words and makes every required certificate
    appear in the text as well as in its column. Deterministic by row number.
    """
    parts = [r.description]
    for cert in filter(None, r.required.split(";")):
        if cert not in r.description:
            parts.append(
                f"Bắt buộc có chứng nhận {cert}." if r.language == "vi" else f"{cert} is required."
            )
    if len(" ".join(parts).split()) < 30 and r.quantity:
        parts.append(f"Sản lượng dự kiến {r.quantity}." if r.language == "vi"
                     else f"Expected volume {r.quantity}.")  # fmt: skip
    if len(" ".join(parts).split()) < 30:
        options = CLOSINGS[r.language]
        parts.append(options[i % len(options)])
    return " ".join(parts)


def build_requirements() -> list[dict[str, str]]:
    """Requirement rows from the hand-written list."""
    rows = []
    for i, r in enumerate(REQUIREMENTS, start=1):
        values = [
            f"R{i:03d}",
            r.buyer,
            r.title,
            complete_description(i, r),
            r.required,
            r.preferred,
            r.sector,
            r.province,
            r.processes,
            r.materials,
            r.quantity,
            r.tier,
            r.language,
        ]
        pairs = zip(REQUIREMENT_COLUMNS, values, strict=True)
        rows.append({c: unicodedata.normalize("NFC", v) for c, v in pairs})
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    """UTF-8 without BOM, comma-separated, minimal quoting, LF line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Regenerate data/sample/suppliers.csv and requirements.csv."""
    rng = random.Random(SEED)
    write_csv(SAMPLE_DIR / "suppliers.csv", SUPPLIER_COLUMNS, build_suppliers(rng))
    write_csv(SAMPLE_DIR / "requirements.csv", REQUIREMENT_COLUMNS, build_requirements())


if __name__ == "__main__":
    main()
