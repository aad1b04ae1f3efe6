"""Every claim an explanation makes is checked against the profile text (issue #11, part 5).

The checks do not reuse the taxonomy's regexes: capabilities are checked with a table of word
stems written here (folded text, left word boundary), certificates against the raw certifications
cell with aliases written here. A claim the table cannot confirm is a failure, so a taxonomy term
that is too broad ("cnc" read as CNC machining) or too narrow ("dập chính xác" not read as
stamping) shows up as a false "Matches" or a false "not stated".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest

from matcher.config import SAMPLE_DIR, Settings
from matcher.engine import Engine
from matcher.explain import explain
from matcher.ingest import load_requirements, load_suppliers
from matcher.normalise import (
    NormalisedRequirement,
    NormalisedSupplier,
    Taxonomy,
    fold,
    load_taxonomy,
    normalise_requirement,
    normalise_supplier,
)
from matcher.schemas import Match, Requirement, Supplier

TAXONOMY = load_taxonomy()

# Evidence that a profile states a capability: regexes over the folded profile, each anchored at
# a word start. Folded Vietnamese collides (dập/đáp, hàn/Hàn Quốc/hạn, trục/trực, tủ/tụ điện,
# máy/may), so single syllables carry the context that makes them the process.
EVIDENCE: dict[str, tuple[str, ...]] = {
    "metal_stamping": (
        r"stamp",
        r"press(ed)? parts",
        r"sheet pressing",
        r"deep draw",
        r"progressive",
        r"dap (kim loai|tam|lien hoan|vuot|chinh xac|nguoi tam|sau)",
        r"(chi tiet|gia cong|may|day chuyen|linh kien) dap(?! (nong|nguoi|dau))",
        r"dot dap",
        r"プレス",  # folded: フレス (the handakuten is a combining mark)
        r"フレス",
        r"프레스",
    ),
    "sheet_metal_fabrication": (
        r"sheet[- ]metal",
        r"(gia cong|che tao) (kim loai tam|ton|tam kim loai)",
        r"板金",
        r"판금",
    ),
    "press_brake_bending": (
        r"bend",
        r"press[- ]brake",
        r"chan (gap|ton|cnc|uon)",
        r"may chan",
        r"uon (ong|ton|cnc)",
        r"曲げ",
        r"벤딩",
        r"절곡",
    ),
    "laser_cutting": (r"laser", r"laze", r"レーサー", r"レーザー", r"레이저"),
    "plasma_cutting": (r"plasma", r"フラスマ", r"플라즈마"),
    "cnc_punching": (r"punch", r"turret", r"dot (lo|cnc|dap)", r"may dot", r"タレット", r"펀칭"),
    "injection_moulding": (
        r"(?<!eva )(?<!rubber )injection(?! mou?lds?(?![a-z]))",
        r"plastic mou?ld",
        r"ep phun",
        r"(?<!khuon )ep nhua",
        r"duc nhua",
        r"射出",
        r"사출",
    ),
    "blow_moulding": (r"blow", r"thoi (nhua|chai|khuon)", r"ep thoi", r"フロー成形", r"블로우"),
    "plastic_extrusion": (
        r"(plastic|pipe) extru",
        r"extruded plastic",
        r"plastic profiles",
        r"dun nhua",
        r"ong nhua dun",
        r"押出成形",
        r"압출 성형",
    ),
    "die_casting": (
        r"die[- ]?cast",
        r"hpdc",
        r"duc ap luc(?! thap)",
        r"duc khuon ap luc",
        r"タイカスト",
        r"다이캐스팅",
    ),
    "gravity_casting": (
        r"gravity",
        r"low[- ]pressure cast",
        r"permanent mou?ld",
        r"duc (trong luc|ap luc thap|khuon kim loai)",
        r"重力鋳造",
        r"중력 주조",
    ),
    "sand_casting": (
        r"sand cast",
        r"iron cast",
        r"foundry",
        r"duc (cat|gang|khuon cat)",
        r"xuong duc",
        r"砂型",
        r"사형 주조",
    ),
    "investment_casting": (
        r"investment cast",
        r"lost[- ]wax",
        r"precision cast",
        r"duc (mau chay|sap|chinh xac|mau sap)",
        r"精密鋳造",
        r"정밀 주조",
    ),
    "hot_forging": (
        r"hot forg",
        r"(?<!cold )forg(ing|ed)",
        r"drop forg",
        r"ren (nong|khuon)",
        r"(gia cong|chi tiet) ren(?! (ngoai|trong|oc|vit))",
        r"dap nong",
        r"熱間鍛造",
        r"鍛造",
        r"단조",
    ),
    "cold_forging": (
        r"cold (forg|head|form)",
        r"ren nguoi",
        r"dap nguoi(?! tam)",
        r"dap dau nguoi",
        r"冷間鍛造",
        r"냉간 단조",
    ),
    "aluminium_extrusion": (
        r"alumin(i)?um (extru|profile)",
        r"extruded alumin",
        r"extrusion profile",
        r"dun nhom",
        r"nhom dinh hinh",
        r"アルミ押出",
        r"알루미늄 압출",
    ),
    "cnc_machining": (
        r"machin(ing|ed)",
        r"gia cong (cnc|co khi|chinh xac)",
        r"(tien|phay) cnc",
        r"cnc (lathe|mill|turn)",
        r"切削",
        r"機械加工",
        r"절삭",
        r"cnc 가공",
        r"기계 가공",
    ),
    "cnc_turning": (
        r"turning",
        r"turned parts",
        r"lathe",
        r"tien (cnc|tu dong|chinh xac)",
        r"(gia cong|may) tien",
        r"旋盤",
        r"旋削",
        r"선반",
    ),
    "cnc_milling": (
        r"milling",
        r"cnc mills",
        r"machining cent",
        r"[345]-axis",
        r"phay",
        r"trung tam gia cong",
        r"フライス",
        r"マシニンク",
        r"밀링",
        r"머시닝",
    ),
    "grinding": (
        r"grind",
        r"mai (vo tam|phang|tron|chinh xac|rang)",
        r"(gia cong|may) mai",
        r"研削",
        r"연삭",
    ),
    "edm": (
        r"edm",
        r"wire[- ]cut",
        r"spark erosion",
        r"electrical discharge",
        r"cat day",
        r"xung dien",
        r"tia lua dien",
        r"may xung",
        r"放電",
        r"방전",
    ),
    "welding": (
        r"weld",
        r"(cong nghe|gia cong|robot|may) han",
        r"han (mig|tig|diem|robot|ho quang|co2|khung|laser|lap rap)",
        r"溶接",
        r"용접",
    ),
    "heat_treatment": (
        r"heat[- ]treat",
        r"harden",
        r"carburi",
        r"nitrid",
        r"quench",
        r"anneal",
        r"nhiet luyen",
        r"tham (carbon|cacbon|nito)",
        r"toi (cao tan|chan khong)",
        r"u thep",
        r"熱処理",
        r"焼入",
        r"열처리",
    ),
    "surface_treatment": (
        r"surface (treat|finish)",
        r"metal finishing",
        r"shot[- ]blast",
        r"sand[- ]?blast",
        r"passivat",
        r"xu ly be mat",
        r"phun (bi|cat)",
        r"thu dong hoa",
        r"danh bong",
        r"表面処理",
        r"표면 처리",
    ),
    "electroplating": (
        r"(electro|zinc|nickel|chrome|chromium|tin|galvanic|silver)[- ]?plat",
        r"plating",
        r"galvani[sz]ing",
        r"xi ma",
        r"(?<!ton )ma (dien|kem|niken|crom|thiec|bac)",
        r"めっき",
        r"メッキ",
        r"鍍金",
        r"도금",
    ),
    "anodising": (
        r"anodi[sz]",
        r"ano[dt]e? hoa",
        r"ma anod",
        r"アルマイト",
        r"陽極酸化",
        r"아노다이징",
    ),
    "powder_coating": (
        r"powder",
        r"electrostatic paint",
        r"son (tinh dien|bot)",
        r"粉体塗装",
        r"분체 도장",
    ),
    "e_coating": (
        r"e-?coat",
        r"ed (coat|paint)",
        r"electrophore",
        r"electro-?deposit",
        r"cathodic",
        r"son (ed|dien ly|dien di|nhung ed)",
        r"電着",
        r"전착",
    ),
    "spray_painting": (
        r"(spray|wet|uv|liquid) paint",
        r"paint(ing)? line",
        r"son (phu|nuoc|uv)",
        r"phun son",
        r"day chuyen son",
        r"(?<!粉体)(?<!電着)塗装",
        r"(?<!분체 )(?<!전착 )도장",
    ),
    "screen_printing": (r"screen print", r"silk[- ]?screen", r"in (lua|luoi)", r"シルク", r"실크"),
    "pad_printing": (
        r"pad print",
        r"tamp(o|on) print",
        r"in (pad|tampo)",
        r"パット印刷",
        r"패드 인쇄",
    ),
    "rubber_moulding": (
        r"rubber (mou?ld|inject|compression)",
        r"vulcani",
        r"compression mou?ld",
        r"ep (cao su|luu hoa|khuon cao su)",
        r"luu hoa",
        r"コム成形",
        r"加硫",
        r"고무 성형",
        r"가류",
    ),
    "smt_assembly": (
        r"smt",
        r"smd",
        r"surface[- ]mount",
        r"pcba? assembl",
        r"reflow",
        r"through-hole",
        r"lap rap (smt|ban mach|bo mach)",
        r"dan linh kien",
        r"han linh kien dien tu",
        r"実装",
        r"표면실장",
        r"smt 실장",
    ),
    "wire_harness": (
        r"(wire|wiring|cable)[- ]harness",
        r"cable assembl",
        r"crimp",
        r"bo day",
        r"day dien bo",
        r"cap bo",
        r"bam dau cos",
        r"ハーネス",
        r"하네스",
    ),
    "coil_winding": (
        r"(coil|transformer) wind",
        r"winding",
        r"(quan|cuon) (day|bien ap)",
        r"巻線",
        r"권선",
    ),
    "mould_making": (
        r"mou?ld (making|design|and die)",
        r"mold (making|design|and die)",
        r"tooling",
        r"die making",
        r"(stamping|press) dies?",
        r"injection mou?lds?(?![a-z])",
        r"mou?lds(?![a-z])",
        r"khuon (mau|ep nhua|dap|duc|nhua)",
        r"(thiet ke|che tao) (va che tao )?khuon",
        r"金型",
        r"금형",
    ),
    "jigs_fixtures": (
        r"jigs?(?![a-z])",
        r"fixtures?",
        r"gauges?",
        r"do ga",
        r"ga (kiem|lap)",
        r"治具",
        r"지그",
    ),
    "dimensional_inspection": (
        r"cmm",
        r"dimensional inspect",
        r"coordinate measur",
        r"3d scan",
        r"measurement service",
        r"inspection report",
        r"do kiem",
        r"may do (cmm|3d|toa do)",
        r"do (3d|toa do)",
        r"三次元測定",
        r"3차원 측정",
    ),
    "weaving": (
        r"weav",
        r"woven",
        r"loom",
        r"det thoi",
        r"det vai",
        r"織物",
        r"製織",
        r"제직",
        r"직물",
    ),
    "knitting": (r"knit", r"jersey", r"det kim", r"ニット", r"編み", r"편직", r"니트"),
    "spinning": (r"spinn", r"keo soi", r"xe soi", r"nha may soi", r"紡績", r"방적"),
    "dyeing_finishing": (
        r"dye",
        r"textile finish",
        r"nhuom",
        r"hoan tat",
        r"染色",
        r"염색",
    ),
    "textile_printing": (
        r"(fabric|textile|digital|sublimation|heat transfer) print",
        r"in (vai|hoa vai|chuyen nhiet|ky thuat so tren vai)",
        r"捺染",
        r"날염",
    ),
    "embroidery": (r"embroider", r"theu", r"刺繍", r"자수"),
    "garment_sewing": (
        r"sew",
        r"cut[- ]and[- ]sew",
        r"cut-make-trim",
        r"cmt",
        r"garment manufactur",
        r"(cat|xuong|chuyen|cong nhan) may(?![a-z])",
        r"may (mac|ao|gia cong hang)(?![a-z])",
        r"縫製",
        r"봉제",
    ),
    "leather_tanning": (
        r"tann",
        r"leather finish",
        r"thuoc da",
        r"hoan thien da",
        r"なめし",
        r"무두질",
    ),
    "steel_sheet": (
        r"steel (sheet|coil)",
        r"sheet steel",
        r"(cold|hot)[- ]rolled",
        r"galvani[sz]ed steel",
        r"sp(cc|hc|ce)",
        r"s[eg]cc",
        r"thep (tam|cuon|can)",
        r"ton (ma kem|tam)",
        r"鋼板",
        r"강판",
    ),
    "steel_bar": (
        r"steel (bar|tube|pipe)",
        r"(alloy|carbon|tool) steel",
        r"bar stock",
        r"s45c",
        r"scm ?4",
        r"sae ?10",
        r"sk3",
        r"skd",
        r"thep (tron|thanh|hop kim|cacbon|carbon|ong|dung cu|khuon)",
        r"ong thep",
        r"炭素鋼",
        r"合金鋼",
        r"탄소강",
        r"합금강",
    ),
    "stainless_steel": (
        r"stainless",
        r"sus ?\d",
        r"ss ?3\d",
        r"inox",
        r"khong gi",
        r"ステンレス",
        r"스테인리스",
    ),
    "electrical_steel": (
        r"(electrical|silicon|lamination) steel",
        r"crgo",
        r"thep (ky thuat dien|silic)",
        r"ton silic",
        r"la thep ky thuat dien",
        r"電磁鋼板",
        r"전기강판",
    ),
    "aluminium_alloy": (
        r"alumin",
        r"adc ?-?12",
        r"a?6061",
        r"6063",
        r"a5052",
        r"al6061",
        r"nhom (hop kim|adc|tam|dinh hinh|\d|a\d|duc|dun)",
        r"(hop kim|phoi|dun) nhom",
        r"アルミ",
        r"알루미늄",
    ),
    "copper_brass": (
        r"copper",
        r"brass",
        r"bronze",
        r"c3604",
        r"c1100",
        r"dong (thau|do|la|tam|thanh|vang|phot pho|tinh luyen)",
        r"(day|ong|bang|quang|phe lieu) dong",
        r"hop kim dong",
        r"銅",
        r"真鍮",
        r"구리",
        r"동판",
        r"황동",
    ),
    "cast_iron": (
        r"cast iron",
        r"(grey|gray|ductile) iron",
        r"fcd?\d",
        r"gang(?![a-z])",
        r"鋳鉄",
        r"주철",
    ),
    "titanium_nickel_alloy": (
        r"titan",
        r"inconel",
        r"nickel alloy",
        r"superalloy",
        r"ti6al4v",
        r"hop kim niken",
        r"チタン",
        r"티타늄",
    ),
    "plastic_resin": (
        r"resin",
        r"(abs|pc|pp|pom|pa|pa6|pa66|pbt|hips|pe|hdpe|pvc|pps|pmma)(?![a-z0-9])",
        r"polycarb",
        r"polyprop",
        r"acetal",
        r"nylon",
        r"hat nhua",
        r"nhua (abs|pc|pp|pom|pa|ky thuat|pe|pvc)",
        r"樹脂",
        r"수지",
    ),
    "rubber_compound": (
        r"rubber",
        r"nbr",
        r"epdm",
        r"silicone",
        r"fkm",
        r"viton",
        r"sbr",
        r"cao su",
        r"コム",  # ゴム folded
        r"고무",
    ),
    "fibre_yarn": (
        r"yarn",
        r"(?<!laser )fib(re|er)s?(?![a-z])(?! laser)",
        r"spandex",
        r"viscose",
        r"ne ?30",
        r"soi(?![a-z])",
        r"糸",
        r"원사",
    ),
    "fabric": (
        r"fabrics?(?![a-z])",
        r"denim",
        r"greige",
        r"textiles",
        r"vai (det|cotton|polyester|moc|thanh pham|denim|may mac|thun|kate|jean|kaki|lot)",
        r"(det|nhuom|kho|cuon) vai",
        r"生地",
        r"원단",
    ),
    "leather": (
        r"(?<!synthetic )(?<!pu )(?<!pvc )(?<!microfiber )(?<!microfibre )(?<!faux )leather",
        r"cowhide",
        r"nubuck",
        r"suede",
        r"da (thuoc|bo|trau|lon|nubuck|thanh pham)",
        r"皮革",
        r"가죽",
    ),
    "synthetic_leather": (
        r"(synthetic|pu|pvc|microfib(er|re)|artificial|faux) leather",
        r"gia da",
        r"da (tong hop|pu|nhan tao)",
        r"simili",
        r"合成皮革",
        r"인조 가죽",
    ),
    "eva_pu_foam": (
        r"eva",
        r"(?<!eps )foam",
        r"phylon",
        r"polyurethane",
        r"xop(?! eps)",
        r"mut",
        r"ウレタン",
        r"발포",
    ),
    "paper_board": (
        r"kraft",
        r"corrugat",
        r"paperboard",
        r"duplex",
        r"giay (kraft|song|carton|duplex)",
        r"bia carton",
        r"段ボール",
        r"골판지",
    ),
    "fasteners": (
        r"fasten",
        r"bolts?(?![a-z])",
        r"nuts?(?![a-z])",
        r"screws?(?![a-z])",
        r"washers?",
        r"rivets?",
        r"studs?(?![a-z])",
        r"bu ?long",
        r"oc vit",
        r"dai oc",
        r"vong dem(?! cao su)",
        r"dinh tan",
        r"vit(?![a-z])",
        r"ボルト",
        r"ネシ",
        r"볼트",
        r"너트",
    ),
    "springs": (
        r"springs(?![a-z])",
        r"(compression|torsion|coil|leaf|tension|wire) spring",
        r"wire forms?",
        r"lo xo",
        r"ハネ",
        r"スフリンク",
        r"스프링",
    ),
    "gears": (r"gears?(?![a-z])", r"sprocket", r"banh rang", r"nhong", r"歯車", r"キア", r"기어"),
    "shafts": (
        r"shafts?",
        r"pins(?![a-z])",
        r"(dowel|guide|ejector|locating) pin",
        r"axles?",
        r"spindles?",
        r"(san xuat|gia cong|chi tiet) truc",
        r"truc (truyen|dong co|khuyu|cam|chinh xac|rulo|may|thep|inox)",
        r"chot",
        r"シャフト",
        r"샤프트",
    ),
    "bearings": (
        r"bearings?",
        r"bush(ing|es)",
        r"vong bi",
        r"o (bi|truot)",
        r"bac (lot|dau)",
        r"軸受",
        r"ヘアリンク",
        r"베어링",
    ),
    "printed_circuit_boards": (
        r"pcba?s?(?![a-z])",
        r"circuit board",
        r"bare board",
        r"mach in",
        r"(ban|bo) mach",
        r"基板",
        r"인쇄회로",
    ),
    "engineering_plastic_parts": (
        r"plastic (parts|components|housings?|covers?|gears)",
        r"mou?lded (parts|housings)",
        r"(linh kien|chi tiet|vo|san pham) nhua",
        r"banh rang nhua",
        r"樹脂部品",
        r"플라스틱 부품",
    ),
    "technical_rubber_parts": (
        r"rubber (parts|bushings?|seals?|rollers?)",
        r"gaskets?",
        r"seals?(?![a-z])",
        r"o-?rings?",
        r"grommets?",
        r"dampers?",
        r"gioang",
        r"phot(?! pho)",
        r"vong dem cao su",
        r"(chi tiet|linh kien) cao su",
        r"con lan cao su",
        r"cao su chong rung",
        r"パッキン",
        r"コム部品",
        r"고무 부품",
    ),
    "tyres_tubes": (
        r"tyres?",
        r"tires?",
        r"inner tubes?",
        r"sam (lop|xe)",
        r"lop xe",
        r"vo xe",
        r"タイヤ",
        r"타이어",
    ),
    "electric_cable": (
        r"cables?(?! (assembl|harness))",
        r"(electric|electrical|power) wires?",
        r"power cord",
        r"(day|cap) (dien|nguon)(?! bo)",
        r"day cap",
        r"電線",
        r"ケーフル",
        r"전선",
        r"케이블",
    ),
    "small_electric_motors": (
        r"(?<!toyota )(?<!yamaha )(?<!honda )motors?(?![a-z])"
        r"(?! (laminations?|cores?|housings?|vietnam))",
        r"mo ?to(?![a-z])",
        r"dong co (dien|buoc)",
        r"モーター",
        r"모터",
    ),
    "electronic_components": (
        r"electronic components?",
        r"inductors?",
        r"transformers?",
        r"(?<!steel )coils?(?![a-z])(?! (feed|wind))",
        r"capacitors?",
        r"resistors?",
        r"sensors?",
        r"chokes?",
        r"linh kien dien tu",
        r"cuon cam",
        r"bien ap",
        r"tu (gom|hoa|dien (gom|hoa|phan))",
        r"dien tro",
        r"cam bien",
        r"電子部品",
        r"전자 부품",
    ),
    "terminals_connectors": (
        r"terminals?",
        r"connectors?",
        r"contact pins?",
        r"lead[- ]?frames?",
        r"(?<!bam )dau (cos|noi)",
        r"cau dau",
        r"chan cam",
        r"tiep diem",
        r"giac cam",
        r"端子",
        r"コネクタ",
        r"단자",
        r"커넥터",
    ),
    "shield_cans": (r"shield", r"(nap|tam|vo) chan (nhieu|emi)", r"シールト", r"실드"),
    "motor_laminations": (
        r"lamination",
        r"(stator|rotor|motor) cores?",
        r"loi (stato|rotor|thep)",
        r"la thep stato",
    ),
    "electrical_enclosures": (
        r"enclosures?",
        r"cabinets?",
        r"control panels?",
        r"electrical boxes",
        r"server racks?",
        r"tu (dien|bang dien)",
        r"vo tu",
        r"hop dien",
        r"盤",
        r"분전반",
    ),
    "busbars": (r"bus ?bars?", r"thanh cai", r"thanh dong", r"フスハー", r"부스바"),
    "packaging": (
        r"packag",
        r"cartons?",
        r"corrugated boxes",
        r"eps(?![a-z])",
        r"bao bi",
        r"thung carton",
        r"xop (eps|dinh hinh)",
        r"hop giay",
        r"梱包",
        r"포장",
    ),
    "motorbike_parts": (
        r"motor(bike|cycle)",
        r"two-wheeler",
        r"scooter",
        r"xe may",
        r"二輪",
        r"오토바이",
    ),
    "car_parts": (
        r"(car|auto|automotive|vehicle) (parts|components)",
        r"automotive",
        r"(phu tung|linh kien|chi tiet) (xe )?o to",
        r"自動車",
        r"자동차",
    ),
    "automation_equipment": (
        r"automation",
        r"special[- ]purpose machines",
        r"conveyors?",
        r"assembly machines",
        r"robot cells?",
        r"tu dong hoa",
        r"may tu dong",
        r"day chuyen tu dong",
        r"bang tai",
        r"may chuyen dung",
        r"自動化",
        r"자동화",
    ),
    "precision_parts": (
        r"(high-)?precision (parts|components|mechanical)",
        r"chi tiet (co khi )?chinh xac",
        r"linh kien co khi chinh xac",
        r"精密部品",
        r"정밀 부품",
    ),
    "medical_device_parts": (r"medical", r"y te", r"医療", r"의료"),
    "aerospace_parts": (
        r"aerospace",
        r"aircraft",
        r"aero[- ]?engine",
        r"hang khong",
        r"航空",
        r"항공",
    ),
    "garment_accessories": (
        r"garment accessor",
        r"buttons?",
        r"zip(per)?s?(?![a-z])",
        r"labels?",
        r"elastic",
        r"hangtags?",
        r"trims?(?![a-z])",
        r"interlining",
        r"phu lieu (may|det may)",
        r"cuc ao",
        r"khuy",
        r"khoa keo",
        r"nhan (mac|det)",
        r"day chun",
        r"chun ban",
        r"mex",
    ),
    "shoe_soles": (
        r"(out|mid)?soles?(?![a-z])",
        r"de (giay|cao su|eva|pu|ngoai|giua|phylon)",
        r"靴底",
        r"밑창",
    ),
    "footwear_components": (
        r"insoles?",
        r"shoe ?laces?",
        r"toe puffs?",
        r"counters?",
        r"(shoe )?lasts?(?![a-z])",
        r"(footwear|shoe) components",
        r"(lot|day|phom|cot|mui) giay",
        r"phu lieu giay",
    ),
}
SECTOR_CODES = {"I", "II", "III", "IV", "V", "VI"}

# Certificates as firms write them, by canonical name: the raw cell is searched for these.
CERT_ALIASES: dict[str, tuple[str, ...]] = {
    "ISO 9001": (r"9001",),
    "ISO 14001": (r"14001",),
    "ISO 45001": (r"45001", r"18001"),
    "ISO 13485": (r"13485",),
    "IATF 16949": (r"iatf", r"16949"),
    "QC 080000": (r"080000",),
    "Samsung Eco-Partner": (r"eco[- ]?partner",),
    "RBA": (r"rba", r"eicc"),
    "OEKO-TEX": (r"oeko",),
}


@cache
def _evidence(tag: str, text: str) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){fold(p)}", text) for p in EVIDENCE[tag])


def profile_text(supplier: Supplier) -> str:
    """What a capability claim is about: description, processes, materials, products, folded."""
    parts = [supplier.description, *supplier.processes, *supplier.materials, *supplier.products]
    return fold(" ; ".join(parts))


def cert_mentioned(name: str, raw: list[str]) -> bool:
    """Whether the raw certifications cell names this certificate under any alias."""
    cell = fold(" ; ".join(raw))
    aliases = CERT_ALIASES.get(name, (re.escape(fold(name)),))
    return any(re.search(a, cell) for a in aliases)


@dataclass(frozen=True)
class Claim:
    kind: str  # matches | not_stated | holds | lacks
    subject: str  # a taxonomy label or a certificate name


_CLAIM_PREFIXES = (
    ("Matches ", "matches"),
    ("not stated in the profile: ", "not_stated"),
    ("not stated: ", "not_stated"),
    ("holds required ", "holds"),
    ("holds preferred ", "holds"),
    ("LACKS REQUIRED ", "lacks"),
    ("lacks preferred ", "lacks"),
)


def parse_claims(explanation: str) -> Iterator[Claim]:
    """Every checkable claim in an explanation; an unknown part is an error, never skipped."""
    body = explanation.split(". Top factors:")[0]
    for part in body.split("; "):
        if part.startswith("semantic similarity "):
            continue
        for prefix, kind in _CLAIM_PREFIXES:
            if part.startswith(prefix):
                for subject in part[len(prefix) :].split(", "):
                    yield Claim(kind, subject)
                break
        else:
            raise AssertionError(f"unparsed part {part!r} of {explanation!r}")


_TAG_BY_LABEL = {e.label_en: e.tag for e in TAXONOMY.entries.values()}


def false_claims(explanation: str, supplier: Supplier) -> list[str]:
    """The claims of one explanation that the supplier's profile does not bear out."""
    text = profile_text(supplier)
    wrong = []
    for claim in parse_claims(explanation):
        if claim.kind in ("matches", "not_stated"):
            tag = _TAG_BY_LABEL.get(claim.subject)
            if tag is None:
                wrong.append(f"{claim}: not a taxonomy label")
                continue
            if tag.startswith("sector_"):
                stated = tag.removeprefix("sector_") in supplier.sector
            else:
                stated = _evidence(tag, text)
            if stated != (claim.kind == "matches"):
                wrong.append(f"{claim}")
        else:
            held = cert_mentioned(claim.subject, supplier.certifications)
            if held != (claim.kind == "holds"):
                wrong.append(f"{claim} (cell: {supplier.certifications})")
    return wrong


# --- the checker itself can fail ------------------------------------------------------------
FOAM = Supplier(
    supplier_id="F1",
    name="Xốp Hưng Thịnh",
    description="Cắt xốp EVA bằng máy CNC, dập định hình đế giày.",
    certifications=["OEKO-TEX 100", "iso9001"],
    sector=["II"],
)


def test_checker_catches_wrong_claims() -> None:
    wrong = false_claims(
        "Matches CNC machining, EVA and PU foam; not stated: Shoe soles; holds required ISO 9001;"
        " lacks preferred OEKO-TEX; holds preferred ISO 14001; semantic similarity 0.50."
        " Top factors: keyword match (+0.10).",
        FOAM,
    )
    assert wrong == [
        "Claim(kind='matches', subject='CNC machining')",
        "Claim(kind='not_stated', subject='Shoe soles')",
        "Claim(kind='lacks', subject='OEKO-TEX') (cell: ['OEKO-TEX 100', 'iso9001'])",
        "Claim(kind='holds', subject='ISO 14001') (cell: ['OEKO-TEX 100', 'iso9001'])",
    ]
    with pytest.raises(AssertionError, match="unparsed part"):
        list(parse_claims("Great supplier; semantic similarity 0.10. Top factors: x."))


def test_evidence_table_covers_the_taxonomy() -> None:
    capability_tags = {t for t in TAXONOMY.entries if not t.startswith("sector_")}
    assert capability_tags == set(EVIDENCE), capability_tags ^ set(EVIDENCE)


def test_no_folded_term_belongs_to_two_tags() -> None:
    # Folding merges spellings (tủ điện / tụ điện): the first tag would silently win.
    owner: dict[str, str] = {}
    clashes = []
    for entry in TAXONOMY.entries.values():
        for term in entry.terms:
            if owner.setdefault(term, entry.tag) != entry.tag:
                clashes.append((term, owner[term], entry.tag))
    assert clashes == []


# --- every claim over the whole sample ------------------------------------------------------
@cache
def _sample() -> tuple[list[Requirement], list[Supplier]]:
    requirements = load_requirements(SAMPLE_DIR / "requirements.csv").records
    suppliers = load_suppliers(SAMPLE_DIR / "suppliers.csv").records
    return requirements, suppliers


def _explain_all(taxonomy: Taxonomy) -> Iterator[tuple[Requirement, Supplier, Match]]:
    requirements, suppliers = _sample()
    normalised = [normalise_supplier(s, taxonomy) for s in suppliers]
    weights = {"dense": 1.0}
    for requirement in requirements:
        req = normalise_requirement(requirement, taxonomy)
        for s in normalised:
            yield (
                requirement,
                s.supplier,
                explain(req, s, 1, 0.0, {"cosine": 0.0}, weights, taxonomy),
            )


@pytest.mark.slow  # ~20 s: every claim of every sample pair
def test_every_claim_on_every_sample_pair_is_true() -> None:
    checked = 0
    wrong: list[str] = []
    for requirement, supplier, match in _explain_all(TAXONOMY):
        checked += sum(1 for _ in parse_claims(match.explanation))
        wrong += [
            f"{requirement.requirement_id}/{supplier.supplier_id}: {w}"
            for w in false_claims(match.explanation, supplier)
        ]
    assert checked > 50_000
    assert wrong == [], f"{len(wrong)} false claims, e.g. {wrong[:20]}"


def test_engine_explanations_on_the_sample_are_true(hashing_settings: Settings) -> None:
    requirements, suppliers = _sample()
    engine = Engine(hashing_settings).build(suppliers)
    by_id = {s.supplier_id: s for s in suppliers}
    matches = engine.match(requirements, top_k=50)
    assert {m.requirement_id for m in matches} == {r.requirement_id for r in requirements}
    wrong = [
        f"{m.requirement_id}/{m.supplier_id}: {w}"
        for m in matches
        for w in false_claims(m.explanation, by_id[m.supplier_id])
    ]
    assert wrong == [], f"{len(wrong)} false claims, e.g. {wrong[:20]}"


# --- the cases of issue #11 -------------------------------------------------------------------
def _explain_one(requirement: Requirement, supplier: Supplier) -> Match:
    req: NormalisedRequirement = normalise_requirement(requirement, TAXONOMY)
    sup: NormalisedSupplier = normalise_supplier(supplier, TAXONOMY)
    return explain(req, sup, 1, 0.5, {"cosine": 0.5, "dense": 1.0}, {"dense": 0.5}, TAXONOMY)


def test_foam_cutter_is_not_a_cnc_machining_shop() -> None:
    req = Requirement(requirement_id="Q1", buyer="Canon", description="CNC machining of A6061")
    match = _explain_one(req, FOAM)
    assert "CNC machining" not in match.matched_capabilities
    assert false_claims(match.explanation, FOAM) == []


def test_thin_precision_stamping_is_stamping() -> None:
    supplier = Supplier(
        supplier_id="P1", name="Cơ khí Phúc", description="Dập chính xác tấm mỏng inox 0,1 mm."
    )
    req = Requirement(requirement_id="Q2", buyer="Canon", description="Metal stamping, SUS304")
    match = _explain_one(req, supplier)
    assert match.matched_capabilities == ["Metal stamping", "Stainless steel"]
    assert "not stated" not in match.explanation
    assert false_claims(match.explanation, supplier) == []


def test_sector_is_matched_on_the_declared_code_not_a_customer_name() -> None:
    supplier = Supplier(
        supplier_id="C1",
        name="Bao bì Minh",
        description="In offset hộp quà. Khách hàng: Samsung Electronics Vietnam.",
        sector=["I"],
    )
    req = Requirement(requirement_id="Q3", buyer="LG", description="Electronics parts supplier")
    assert "Electronics" not in _explain_one(req, supplier).matched_capabilities


def test_oeko_tex_100_holds_oeko_tex() -> None:
    req = Requirement(
        requirement_id="Q4",
        buyer="Hanes",
        description="Knitted fabric",
        preferred_certifications=["OEKO-TEX"],
    )
    match = _explain_one(req, FOAM)
    assert "holds preferred OEKO-TEX" in match.explanation
    assert false_claims(match.explanation, FOAM) == []


# --- Japanese and Korean requests -------------------------------------------------------------
def test_fold_keeps_japanese_matching_across_dakuten() -> None:
    # NFD splits ダ into タ + a combining mark that fold strips, on both sides alike.
    assert fold("ダイカスト") == fold("タイカスト") == "タイカスト"
    assert TAXONOMY.tag("アルミダイカスト部品") == ["die_casting"]
    # No spaces in Japanese: a term inside a longer word still matches.
    assert TAXONOMY.tag("順送プレス加工品の見積依頼") == ["metal_stamping"]


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        (
            "プレス加工部品（SPCC、板厚1.2mm）と金型製作、亜鉛めっき。月産5万個。",
            ["metal_stamping", "steel_sheet", "mould_making", "electroplating"],
        ),
        (
            "ABS樹脂の射出成形品、塗装あり",
            ["plastic_resin", "injection_moulding", "spray_painting"],
        ),
        (
            "S45C丸棒の切削加工とNC旋盤加工、熱処理（焼入れ）",
            ["steel_bar", "cnc_machining", "cnc_turning", "heat_treatment"],
        ),
        (
            "ADC12 アルミダイカスト、溶接、粉体塗装",
            ["aluminium_alloy", "die_casting", "welding", "powder_coating"],
        ),
        ("SMT実装とワイヤーハーネス、縫製", ["smt_assembly", "wire_harness", "garment_sewing"]),
    ],
)
def test_japanese_requests_get_tags(text: str, tags: list[str]) -> None:
    assert TAXONOMY.tag(text) == tags


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        (
            "프레스 가공 부품, SPCC 강판, 금형 제작 및 아연 도금 가능 업체",
            ["metal_stamping", "steel_sheet", "mould_making", "electroplating"],
        ),
        ("ABS 사출 성형 및 도장", ["plastic_resin", "injection_moulding", "spray_painting"]),
        (
            "알루미늄 다이캐스팅, 용접, 분체 도장, 열처리",
            ["die_casting", "welding", "powder_coating", "heat_treatment"],
        ),
        ("CNC 가공, 와이어 하네스, 봉제", ["cnc_machining", "wire_harness", "garment_sewing"]),
    ],
)
def test_korean_requests_get_tags(text: str, tags: list[str]) -> None:
    assert TAXONOMY.tag(text) == tags


def test_korean_terms_do_not_match_inside_other_words() -> None:
    # Folded Hangul is jamo: "기어" (gear) is a prefix of 기업 (firm), so only longer gear terms.
    assert TAXONOMY.tag("베트남 기업, 기억") == []


def test_japanese_and_korean_requests_name_matched_capabilities(
    hashing_settings: Settings,
) -> None:
    _, suppliers = _sample()
    engine = Engine(hashing_settings).build(suppliers)
    by_id = {s.supplier_id: s for s in suppliers}
    requests = [
        Requirement(
            requirement_id="J1", buyer="Canon", description="順送プレス加工部品、SPCC、亜鉛めっき"
        ),
        Requirement(
            requirement_id="K1", buyer="Hyundai", description="알루미늄 다이캐스팅 부품, 열처리"
        ),
    ]
    for request, expected in zip(
        requests, ["Metal stamping", "High-pressure die casting"], strict=True
    ):
        (top, *_) = engine.match([request], top_k=5)
        assert expected in top.matched_capabilities
        assert top.explanation.startswith("Matches ")
        assert false_claims(top.explanation, by_id[top.supplier_id]) == []
