/* Shared by applets that run e2fsprogs' programs besides fsck (shrink-root):
 * say which were chosen -- the rescue system's or rescuectl's own
 * (lib/e2tools.h) -- before anything runs. */
#ifndef RC_E2TOOLS_COMMON_H
#define RC_E2TOOLS_COMMON_H
#include "applets.h"
#include "../lib/e2tools.h"

/* One line for the N choices CH
 *   Tools: e2fsck 1.47.0, resize2fs 1.47.0 (bundled; the rescue system has none)
 * (stdout; stderr under --json), and "tools": [{"program": "e2fsck",
 * "version": ..., "bundled": ..., "path": ..., "why": ...}] in the JSON
 * document. Nothing when N is 0. */
void e2tools_report(struct cli *c, const struct e2t_choice *ch, int n);

#endif
