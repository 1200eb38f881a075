#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A handler that decides on 404 only after the fixups phase has run.
printf 'Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such item\n'
