#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t/hints_used_browser.t: see ../page.cgi
exec ../page.cgi mod mod
