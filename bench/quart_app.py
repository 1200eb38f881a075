# SPDX-License-Identifier: Apache-2.0
"""The benchmark page as a Quart app on Hypercorn: the same site as the
httpd configurations, pushing its three resources with make_push_promise,
the way a Quart user would do it."""
import os

from quart import Quart, make_push_promise, send_from_directory

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
RESOURCES = ("/static/site.css", "/static/app.js", "/static/logo.png")

app = Quart(__name__, static_folder=os.path.join(SITE, "static"),
            static_url_path="/static")


@app.route("/page/")
async def page():
    for url in RESOURCES:
        await make_push_promise(url)
    return await send_from_directory(os.path.join(SITE, "page"), "index.html")


@app.route("/nopush/")
async def nopush():
    return await send_from_directory(os.path.join(SITE, "page"), "index.html")
