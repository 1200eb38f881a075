#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A slow page for t/push_resources.t: its handler takes 300 ms, as an
# application's does, so the test can see the pushes (and the 103 of a
# client that refuses push) arrive while it still runs.
sleep 0.3
printf 'Content-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n'
printf '<!doctype html><title>slow</title><p>slow\n'
