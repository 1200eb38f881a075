#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The same page as /browser/hints/, under /browser/off/ where
# QuartPushEarlyHints is off. mod_cgid runs a script in its own directory.
exec ../hints/index.cgi
