"""Worker entrypoint: the one module that builds the Flask app at import."""

from teleframe import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
app = celery_app
