"""The CNHT Matcher service: a FastAPI app over matcher/ (see api.app.create_app)."""
