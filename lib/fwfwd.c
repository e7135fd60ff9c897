/* fwfwd: firewalld's default zone for a new TCP connection. */
#include "fwfwd.h"
#include "fwnft.h"
#include "xmltag.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_xml(const struct fsrc *src, const char *kind, const char *name, char *path, size_t psz, char **text)
{
	size_t len;
	if (strchr(name, '/') || name[0] == '.')
		return rc_fail(EINVAL, "firewalld %s name '%s' is not a file name", kind, name);
	snprintf(path, psz, "/etc/firewalld/%ss/%s.xml", kind, name);
	int r = fsrc_read(src, path, text, &len, FWD_MAX_FILE);
	if (r == -ENOENT) {
		snprintf(path, psz, "/usr/lib/firewalld/%ss/%s.xml", kind, name);
		r = fsrc_read(src, path, text, &len, FWD_MAX_FILE);
	}
	if (r == -EFBIG)
		return rc_fail(EFBIG, "%s: larger than %zu bytes", path, FWD_MAX_FILE);
	return r;
}

static enum fw_match port_attr(const char *port, const char *proto, int want)
{
	if (!port || !proto || strcmp(proto, "tcp"))
		return FWM_NO;
	char lo[32] = "", *dash;
	snprintf(lo, sizeof(lo), "%s", port);
	int a, b;
	if ((dash = strchr(lo, '-'))) {
		*dash = 0;
		a = fw_service_port(lo), b = fw_service_port(dash + 1);
	} else {
		a = b = fw_service_port(lo);
	}
	if (a < 0 || b < 0)
		return FWM_MAYBE;
	return want >= a && want <= b ? FWM_YES : FWM_NO;
}

/* Does service NAME open PORT/tcp? Its ports, protocols and includes. */
static enum fw_match service_match(const struct fsrc *src, const char *name, int port, int depth, int *err)
{
	char path[300], *text;
	if (depth > FWD_MAX_INCLUDE || read_xml(src, "service", name, path, sizeof(path), &text)) {
		*err = 1;
		return FWM_MAYBE;
	}
	enum fw_match m = FWM_NO;
	size_t pos = 0;
	int line = 1, k;
	struct xtag t;
	while ((k = xt_next(text, &pos, &line, &t)) == 1 && m != FWM_YES) {
		if (t.close)
			continue;
		if (!strcmp(t.name, "port"))
			m = m == FWM_MAYBE ? m : port_attr(xt_attr(&t, "port"), xt_attr(&t, "protocol"), port);
		else if (!strcmp(t.name, "protocol") && xt_attr(&t, "value") && !strcmp(xt_attr(&t, "value"), "tcp"))
			m = FWM_YES;
		else if (!strcmp(t.name, "include") && xt_attr(&t, "service")) {
			enum fw_match i = service_match(src, xt_attr(&t, "service"), port, depth + 1, err);
			m = i == FWM_YES ? FWM_YES : i == FWM_MAYBE ? FWM_MAYBE : m;
		}
	}
	*err |= k < 0;
	free(text);
	return m;
}

struct zparse {
	const struct fsrc *src;
	int port;
	const char *file;
	struct fw_chain b[4];   /* pre (priority < 0), deny, allow, post (priority > 0) */
	char target[32];
	int tline;
	int binds;              /* interfaces or sources bound */
	int err;                /* a service that cannot be read */
	/* the rich rule being read */
	int in_rule, rline, prio;
	enum fw_match rm;
	char rwhy[120];
	enum fw_act ract;
	int has_elem;
};

static int add(struct zparse *z, int bucket, int line, enum fw_match m, const char *why, enum fw_act act,
	       const char *text)
{
	struct fw_where w = { .line = line };
	snprintf(w.file, sizeof(w.file), "%s", z->file);
	snprintf(w.text, sizeof(w.text), "%s", text);
	struct fw_alt a = { .m = m, .act = act, .target = -1 };
	snprintf(a.maybe, sizeof(a.maybe), "%s", why);
	return fw_rule_add(&z->b[bucket], &w, &a, 1, 0);
}

static enum fw_match elem_match(struct zparse *z, const struct xtag *t, char *why, size_t wsz)
{
	const char *n = t->name;
	if (!strcmp(n, "service")) {
		const char *s = xt_attr(t, "name");
		int err = 0;
		enum fw_match m = s ? service_match(z->src, s, z->port, 0, &err) : FWM_MAYBE;
		z->err |= err;
		snprintf(why, wsz, "service %s, whose file cannot be read", s ? s : "?");
		return m;
	}
	if (!strcmp(n, "port"))
		return port_attr(xt_attr(t, "port"), xt_attr(t, "protocol"), z->port);
	if (!strcmp(n, "protocol"))
		return xt_attr(t, "value") && !strcmp(xt_attr(t, "value"), "tcp") ? FWM_YES : FWM_NO;
	return FWM_NO;   /* icmp-block, icmp-type, masquerade, source-port, forward-port */
}

static void rich_tag(struct zparse *z, const struct xtag *t)
{
	const char *n = t->name;
	char why[120] = "";
	if (!strcmp(n, "source") || !strcmp(n, "destination")) {
		snprintf(z->rwhy[0] ? why : z->rwhy, sizeof(z->rwhy), "%s",
			 n[0] == 's' ? "the source address" : "the address it is sent to");
		z->rm = fw_and(z->rm, FWM_MAYBE);
	} else if (!strcmp(n, "accept") || !strcmp(n, "reject") || !strcmp(n, "drop")) {
		z->ract = n[0] == 'a' ? FWA_ACCEPT : n[0] == 'r' ? FWA_REJECT : FWA_DROP;
	} else if (!strcmp(n, "forward-port")) {
		z->has_elem = 1;
		if (port_attr(xt_attr(t, "port"), xt_attr(t, "protocol"), z->port) != FWM_NO)
			z->ract = FWA_UNKNOWN;
		else
			z->rm = FWM_NO;
	} else if (strcmp(n, "log") && strcmp(n, "audit") && strcmp(n, "limit") && strcmp(n, "mark")) {
		z->has_elem = 1;
		enum fw_match m = elem_match(z, t, why, sizeof(why));
		if (m == FWM_MAYBE && !z->rwhy[0])
			snprintf(z->rwhy, sizeof(z->rwhy), "%s", why);
		z->rm = fw_and(z->rm, m);
	}
}

static int rich_end(struct zparse *z)
{
	z->in_rule = 0;
	if (z->ract == FWA_NONE)
		return 0;
	int bucket = z->prio < 0 ? 0 : z->prio > 0 ? 3 : z->ract == FWA_ACCEPT ? 2 : 1;
	return add(z, bucket, z->rline, z->rm, z->rwhy, z->ract, "rich rule");
}

static void rich_start(struct zparse *z, const struct xtag *t)
{
	const char *fam = xt_attr(t, "family"), *prio = xt_attr(t, "priority");
	z->in_rule = 1;
	z->rline = t->line;
	z->prio = prio ? atoi(prio) : 0;
	z->rm = fam && !strcmp(fam, "ipv6") ? FWM_NO : FWM_YES;
	z->rwhy[0] = 0;
	z->ract = FWA_NONE;
	z->has_elem = 0;
}

static int zone_tag(struct zparse *z, const struct xtag *t)
{
	char why[120] = "", text[200];
	const char *n = t->name;
	if (z->in_rule) {
		if (t->close && !strcmp(n, "rule"))
			return rich_end(z);
		if (!t->close)
			rich_tag(z, t);
		return 0;
	}
	if (t->close)
		return 0;
	if (!strcmp(n, "zone")) {
		snprintf(z->target, sizeof(z->target), "%s", xt_attr(t, "target") ? xt_attr(t, "target") : "default");
		z->tline = t->line;
	} else if (!strcmp(n, "rule") && !t->empty) {
		rich_start(z, t);
	} else if (!strcmp(n, "interface") || !strcmp(n, "source")) {
		z->binds = 1;
	} else if (!strcmp(n, "service") || !strcmp(n, "port") || !strcmp(n, "protocol")) {
		enum fw_match m = elem_match(z, t, why, sizeof(why));
		snprintf(text, sizeof(text), "<%s %s=\"%s\"%s%s%s>", n, t->nattr ? t->an[0] : "", t->nattr ? t->av[0] : "",
			 t->nattr > 1 ? " " : "", t->nattr > 1 ? t->an[1] : "", t->nattr > 1 ? "=..." : "");
		return add(z, 2, t->line, m, why, FWA_ACCEPT, text);
	} else if (!strcmp(n, "forward-port") &&
		   port_attr(xt_attr(t, "port"), xt_attr(t, "protocol"), z->port) != FWM_NO) {
		return add(z, 0, t->line, FWM_YES, "", FWA_UNKNOWN, "<forward-port> of the sshd port");
	}
	return 0;
}

/* Zone NAME as one input chain of S. */
static int zone_load(const struct fsrc *src, const char *name, int port, struct fw_set *s, int *binds, char *file,
		     size_t fsz)
{
	char *text;
	int r = read_xml(src, "zone", name, file, fsz, &text);
	if (r == -ENOENT)
		return rc_fail(ENOENT, "firewalld zone %s has no file in /etc/firewalld/zones or /usr/lib/firewalld/zones",
			       name);
	if (r)
		return r;
	struct zparse z;
	memset(&z, 0, sizeof(z));
	z.src = src, z.port = port, z.file = file;
	snprintf(z.target, sizeof(z.target), "default");
	size_t pos = 0;
	int line = 1, k;
	struct xtag t;
	while (!r && (k = xt_next(text, &pos, &line, &t)) == 1)
		r = zone_tag(&z, &t);
	free(text);
	if (!r && k < 0)
		r = rc_fail(EINVAL, "%s line %d: XML firewalld cannot read", file, line);
	char tname[80];
	snprintf(tname, sizeof(tname), "firewalld zone %s", name);
	int ci = r ? -1 : fw_chain_add(s, "firewalld", tname);
	for (int b = 0; ci >= 0 && b < 4; b++)
		for (int i = 0; !r && i < z.b[b].nr; i++)
			r = fw_rule_add(&s->c[ci], &z.b[b].r[i].w, z.b[b].r[i].alt, z.b[b].r[i].nalt, 0);
	if (ci >= 0) {
		struct fw_chain *c = &s->c[ci];
		c->hook = FW_HOOK_INPUT;
		c->policy = !strcmp(z.target, "ACCEPT") ? FWA_ACCEPT : FWA_REJECT;
		snprintf(c->pw.file, sizeof(c->pw.file), "%s", file);
		c->pw.line = z.tline;
		snprintf(c->pw.text, sizeof(c->pw.text), "policy %s (zone target %s)",
			 c->policy == FWA_ACCEPT ? "accept" : !strcmp(z.target, "DROP") ? "drop" : "reject", z.target);
		if (!strcmp(z.target, "DROP"))
			c->policy = FWA_DROP;
	} else if (!r) {
		r = ci;
	}
	if (!r && z.err)
		snprintf(s->uncertain, sizeof(s->uncertain), "%s: a service it names cannot be read", file);
	for (int b = 0; b < 4; b++) {
		for (int i = 0; i < z.b[b].nr; i++)
			free(z.b[b].r[i].alt);
		free(z.b[b].r);
	}
	*binds = z.binds;
	return r;
}

static int zone_verdict(const struct fsrc *src, const char *zone, int port, struct fw_result *res, int *binds,
			char *file, size_t fsz)
{
	struct fw_set s = { 0 };
	int r = zone_load(src, zone, port, &s, binds, file, fsz);
	if (!r)
		fw_evaluate(&s, res);
	fw_set_free(&s);
	return r;
}

/* Other zones that bind interfaces or sources: do they treat the connection otherwise? */
static int other_zones(const struct fsrc *src, const struct fwfwd *f, int port, struct fw_result *res)
{
	char **names;
	size_t n;
	if (fsrc_list(src, "/etc/firewalld/zones", &names, &n))
		return 0;
	for (size_t i = 0; i < n && i < FWD_MAX_ZONES && res->v != FW_UNCERTAIN; i++) {
		char zone[64], file[300];
		struct fw_result o;
		int binds = 0;
		if (!fs_endswith(names[i], ".xml") || strlen(names[i]) - 4 >= sizeof(zone))
			continue;
		snprintf(zone, sizeof(zone), "%.*s", (int)(strlen(names[i]) - 4), names[i]);
		if (!strcmp(zone, f->zone) || zone_verdict(src, zone, port, &o, &binds, file, sizeof(file)) || !binds)
			continue;
		if (o.v != res->v) {
			res->v = FW_UNCERTAIN;
			snprintf(res->why, sizeof(res->why), "it depends on the interface or source: zone %s (%s) binds some "
				 "and %s it, while the default zone %s %s it", zone, file, fw_verdict_name(o.v), f->zone,
				 fw_verdict_name(res->v));
		}
	}
	tree_free_list(names, n);
	return 0;
}

int fwfwd_eval(const struct fsrc *src, int port, struct fwfwd *f, struct fw_result *res)
{
	struct flines l;
	memset(f, 0, sizeof(*f));
	snprintf(f->zone, sizeof(f->zone), "public");
	snprintf(f->conf_where, sizeof(f->conf_where), "firewalld's built-in default");
	if (!flines_read(src, "/etc/firewalld/firewalld.conf", 1 << 20, &l)) {
		char v[64];
		int at = fs_shvar_get(&l, "DefaultZone", v, sizeof(v));
		if (at && v[0]) {
			snprintf(f->zone, sizeof(f->zone), "%s", v);
			snprintf(f->conf_where, sizeof(f->conf_where), "/etc/firewalld/firewalld.conf:%d", at);
		}
		flines_free(&l);
	}
	int binds;
	int r = zone_verdict(src, f->zone, port, res, &binds, f->zone_file, sizeof(f->zone_file));
	if (r)
		return r;
	other_zones(src, f, port, res);
	if (res->v != FW_UNCERTAIN && fsrc_exists(src, "/etc/firewalld/direct.xml")) {
		char *t;
		size_t len;
		if (!fsrc_read(src, "/etc/firewalld/direct.xml", &t, &len, FWD_MAX_FILE)) {
			if (strstr(t, "<rule") || strstr(t, "<passthrough")) {
				res->v = FW_UNCERTAIN;
				snprintf(res->why, sizeof(res->why), "/etc/firewalld/direct.xml adds direct rules, which "
					 "rescuectl does not evaluate");
			}
			free(t);
		}
	}
	return 0;
}

int fwfwd_zone_file(const struct fsrc *src, const char *zone, char *path, size_t sz, int *in_etc)
{
	snprintf(path, sz, "/etc/firewalld/zones/%s.xml", zone);
	*in_etc = fsrc_exists(src, path);
	if (!*in_etc)
		snprintf(path, sz, "/usr/lib/firewalld/zones/%s.xml", zone);
	return fsrc_exists(src, path) ? 0 : -ENOENT;
}
