/* fwufw: ufw's boot-time rule set, built as ufw-init builds it. */
#include "fwufw.h"
#include "fwipt.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fwufw_conf(const struct fsrc *src, struct fwufw *u)
{
	struct flines l;
	char v[64];
	memset(u, 0, sizeof(*u));
	snprintf(u->policy, sizeof(u->policy), "DROP");
	int r = flines_read(src, "/etc/ufw/ufw.conf", 1 << 20, &l);
	if (r)
		return r;
	u->enabled_line = fs_shvar_get(&l, "ENABLED", v, sizeof(v));
	u->enabled = u->enabled_line && !strcasecmp(v, "yes");
	flines_free(&l);
	if (!flines_read(src, "/etc/default/ufw", 1 << 20, &l)) {
		u->policy_line = fs_shvar_get(&l, "DEFAULT_INPUT_POLICY", v, sizeof(v));
		if (u->policy_line)
			snprintf(u->policy, sizeof(u->policy), "%s", v);
		flines_free(&l);
	}
	return 0;
}

/* The chains ufw-init makes before it loads any rule file, and the INPUT hooks. */
#define UFW_CHAINS(k) ":ufw-" k "-input - [0:0]\n:ufw-" k "-output - [0:0]\n:ufw-" k "-forward - [0:0]\n"
static const char primary[] =
	"*filter\n"
	UFW_CHAINS("before-logging") UFW_CHAINS("before") UFW_CHAINS("after") UFW_CHAINS("after-logging")
	UFW_CHAINS("reject") UFW_CHAINS("track")
	":INPUT - [0:0]\n"
	"-A INPUT -j ufw-before-logging-input\n-A INPUT -j ufw-before-input\n-A INPUT -j ufw-after-input\n"
	"-A INPUT -j ufw-after-logging-input\n-A INPUT -j ufw-reject-input\n-A INPUT -j ufw-track-input\n"
	"COMMIT\n";

/* What ufw-init adds from the policy: the reject and track rules, the logging and skip chains. */
static int policy_rules(const struct fwufw *u, int port, struct fw_set *s)
{
	char text[1024];
	int rej = !strcasecmp(u->policy, "REJECT"), acc = !strcasecmp(u->policy, "ACCEPT");
	snprintf(text, sizeof(text), "*filter\n%s%s"
		 ":ufw-logging-deny - [0:0]\n:ufw-logging-allow - [0:0]\n"
		 UFW_CHAINS("skip-to-policy") "-A ufw-skip-to-policy-input -j %s\nCOMMIT\n",
		 rej ? "-A ufw-reject-input -j REJECT\n" : "",
		 acc ? "-A ufw-track-input -p tcp -m conntrack --ctstate NEW -j ACCEPT\n" : "",
		 rej ? "REJECT" : acc ? "ACCEPT" : "DROP");
	int r = fwipt_parse("ufw-init", text, strlen(text), port, "ufw", s);
	/* the evidence of these rules is the policy line they come from */
	for (int c = 0; !r && c < s->nc; c++)
		for (int i = 0; i < s->c[c].nr; i++) {
			struct fw_where *w = &s->c[c].r[i].w;
			if (strcmp(w->file, "ufw-init"))
				continue;
			snprintf(w->file, sizeof(w->file), "/etc/default/ufw");
			w->line = u->policy_line;
			char rule[sizeof(w->text)];
			snprintf(rule, sizeof(rule), "%s", w->text);
			snprintf(w->text, sizeof(w->text), "DEFAULT_INPUT_POLICY=\"%s\" (ufw-init adds %s)", u->policy, rule);
		}
	return r;
}

static int rules_file(const struct fsrc *src, const char *path, int port, struct fw_set *s)
{
	int r = fwipt_load(src, path, port, "ufw", s);
	if (r == -ENOENT)
		return rc_fail(ENOENT, "%s is missing: ufw-init stops with an error", path);
	return r;
}

int fwufw_load(const struct fsrc *src, const struct fwufw *u, int port, struct fw_set *s)
{
	static const char user_chains[] =
		"*filter\n" UFW_CHAINS("user") UFW_CHAINS("user-logging")
		":ufw-user-limit - [0:0]\n:ufw-user-limit-accept - [0:0]\nCOMMIT\n";
	static const char hook[] = "*filter\n-A ufw-before-input -j ufw-user-input\nCOMMIT\n";
	int r = fwipt_parse("ufw-init", primary, strlen(primary), port, "ufw", s);
	if (!r)
		r = policy_rules(u, port, s);
	if (!r)
		r = rules_file(src, "/etc/ufw/before.rules", port, s);
	if (!r)
		r = rules_file(src, "/etc/ufw/after.rules", port, s);
	if (!r)
		r = fwipt_parse("ufw-init", user_chains, strlen(user_chains), port, "ufw", s);
	if (!r)
		r = rules_file(src, "/etc/ufw/user.rules", port, s);
	if (!r)
		r = fwipt_parse("ufw-init", hook, strlen(hook), port, "ufw", s);
	int in = fw_chain_find(s, "ufw filter", "INPUT");
	if (!r && in >= 0) {
		struct fw_chain *c = &s->c[in];
		int drop = strcasecmp(u->policy, "ACCEPT") != 0;
		c->policy = drop ? FWA_DROP : FWA_ACCEPT;
		snprintf(c->pw.file, sizeof(c->pw.file), "/etc/default/ufw");
		c->pw.line = u->policy_line;
		snprintf(c->pw.text, sizeof(c->pw.text), "policy %s (DEFAULT_INPUT_POLICY=%s)", drop ? "drop" : "accept",
			 u->policy);
	}
	return r;
}
