"""Worker entrypoint: the one module that builds the Flask app at import."""

from teleframe import create_app
from workers import telemetry

flask_app = create_app()
telemetry.connect(flask_app.config["TELEFRAME_SETTINGS"])
celery_app = flask_app.extensions["celery"]
app = celery_app
