#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The same application when it is up: 200.
printf 'Content-Type: text/html\r\n\r\n<!doctype html><title>up</title>\n'
