#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t/hints_used_firefox.t: see ../page.cgi
exec ../page.cgi mod modff
