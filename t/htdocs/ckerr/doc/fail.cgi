#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A handler that fails after the fixups phase: no headers at all (500).
exit 1
