/* Which e2fsck, resize2fs and mke2fs an applet runs, said once. */
#include "e2tools_common.h"
#include <stdio.h>
#include <string.h>

static json_object *jchoice(const struct e2t_choice *ch)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "program", json_object_new_string(ch->prog));
	json_object_object_add(o, "version", ch->ver ? json_object_new_string(ch->ver_str) : NULL);
	json_object_object_add(o, "bundled", json_object_new_boolean(ch->bundled));
	json_object_object_add(o, "path", json_object_new_string(ch->shown));
	json_object_object_add(o, "why", ch->why[0] ? json_object_new_string(ch->why) : NULL);
	return o;
}

void e2tools_report(struct cli *c, const struct e2t_choice *ch, int n)
{
	char src[E2T_NTOOLS][PATH_MAX + 300], line[4096] = "";
	int same = 1;
	if (n <= 0)
		return;
	n = n > E2T_NTOOLS ? E2T_NTOOLS : n;
	json_object *arr = json_object_new_array();
	for (int i = 0; i < n; i++) {
		json_object_array_add(arr, jchoice(&ch[i]));
		e2t_source_words(&ch[i], src[i], sizeof(src[i]));
		same = same && !strcmp(src[i], src[0]);
	}
	json_object_object_add(cli_doc(c), "tools", arr);
	/* one parenthesis when all come from the same place */
	for (int i = 0; i < n; i++) {
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, "%s%s %s", i ? ", " : "", ch[i].prog, ch[i].ver_str);
		if (!same || i == n - 1) {
			l = strlen(line);
			snprintf(line + l, sizeof(line) - l, " (%s)", src[i]);
		}
	}
	cli_info(c, "Tools: %s", line);
}
