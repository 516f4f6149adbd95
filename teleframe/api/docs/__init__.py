"""The API reference page at /docs: ReDoc served from this package, never from a CDN.

`static/redoc.standalone.js` is ReDoc 2.5.4 (npm `redoc`, MIT, see REDOC-LICENSE), copied from
the package's `bundles/` folder: offline installs get a working page, and no third-party script
runs on the origin that also serves the client pages. To update: `npm pack redoc@2`, copy
`bundles/redoc.standalone.js` and its LICENSE.txt, and change REDOC_VERSION.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

REDOC_VERSION = "2.5.4"
ASSETS = "/docs/assets"
REDOC_URL = f"{ASSETS}/redoc.standalone.js?v={REDOC_VERSION}"
# ReDoc styles itself with inline <style> (styled-components) and searches in a blob: worker
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

blp = Blueprint("docs_assets", __name__, static_folder="static", static_url_path=ASSETS)


@blp.after_app_request
def _docs_policy(response: Response) -> Response:
    if request.path == "/docs" or request.path.startswith(ASSETS + "/"):
        response.headers["Content-Security-Policy"] = CSP
    return response
