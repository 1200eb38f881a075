#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# An application that answers 503 (down for maintenance): it decides so
# only while it runs, after the fixups phase.
printf 'Status: 503 Service Unavailable\r\nRetry-After: 60\r\nContent-Type: text/plain\r\n\r\ndown for maintenance\n'
