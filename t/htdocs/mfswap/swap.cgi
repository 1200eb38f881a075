#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A deploy in the middle of a response (t/manifest_reload.t): the first
# pass of this request took the manifest's generation for @deploy
# (mfswap/ names it); this handler puts the next build in place
# (mf/next.json, written by the test), then makes every child read it (a
# second later, many requests on new connections), then answers with a
# local redirect to /mfswap-to/, whose resources come from the same
# manifest. The response must keep the generation it first took.
mf="$DOCUMENT_ROOT/mf"
mv "$mf/next.json" "$mf/manifest.json"
sleep 1.1
i=0
while [ $i -lt 30 ]; do
    # (over h2c and navigating, so that the request takes a generation)
    curl -s -o /dev/null --http2-prior-knowledge -H 'sec-fetch-mode: navigate' \
        -H 'sec-fetch-dest: document' "http://127.0.0.1:$SERVER_PORT/mfdeploy/"
    i=$((i + 1))
done
printf 'Location: /mfswap-to/\r\n\r\n'
