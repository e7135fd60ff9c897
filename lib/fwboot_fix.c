/* fwboot: findings and fix plans for a firewall that drops sshd's port. */
#include "fwboot.h"
#include "fwfwd.h"
#include "fwipt.h"
#include "fwnft.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fwboot_findings(const struct fwboot *b, const char *port_from, struct nf_findings *out)
{
	for (int k = 0; k < FWB_N; k++) {
		const struct fwb_fw *f = &b->fw[k];
		const struct fw_result *r = &f->res;
		struct nf_finding *x = NULL;
		if (!f->loaded)
			continue;
		if (f->err[0]) {
			x = nf_add(out, "fw.unreadable", NF_DEGRADED, f->file, 0, NULL, "%s is loaded at boot, but its rules "
				   "cannot be read: %s; what it does to sshd's port %d is not known", f->name, f->err, b->port);
		} else if (r->v == FW_DROPPED) {
			x = nf_add(out, "fw.ssh-dropped", NF_LOGIN, r->at.file, r->at.line, r->at.text, "At boot, %s will "
				   "%s new TCP connections to port %d (%s:%d, %s)", f->name, r->rejected ? "reject" : "drop",
				   b->port, r->at.file, r->at.line, r->why);
		} else if (r->v == FW_UNCERTAIN) {
			x = nf_add(out, "fw.ssh-uncertain", NF_NOTE, r->at.file, r->at.line, r->at.text, "At boot, %s may "
				   "or may not let new TCP connections to port %d through: %s%s%s%s", f->name, b->port,
				   r->why, r->at.file[0] ? " (" : "", r->at.file, r->at.file[0] ? ")" : "");
		}
		if (!x)
			continue;
		x->fixable = !f->err[0];
		x->port = b->port;
		snprintf(x->key, sizeof(x->key), "%s", f->name);
		snprintf(x->fix, sizeof(x->fix), "rescuectl doctor --fix %s adds an accept rule for port %d (sshd's port: "
			 "%s) at the top of %s's input rules in %s; with --disable-firewall it stops %s at boot instead",
			 x->id, b->port, port_from, f->name, f->file, f->name);
	}
	return 0;
}

static int spot_cmp(const void *a, const void *b)
{
	const struct fwnft_spot *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : y->line - x->line;   /* per file, last line first: earlier lines keep their numbers */
}

static int insert_at(struct nf_plan *p, const struct fsrc *src, const char *path, int line, const char *ins,
		     const char *what)
{
	char *text, *n;
	size_t len, nl;
	int r = nfplan_read(p, src, path, (size_t)16 << 20, &text, &len);
	if (r)
		return r == -ENOENT ? rc_fail(ENOENT, "%s is missing", path) : r;
	n = nf_insert_line(text, len, line, ins, &nl);
	free(text);
	if (!n)
		return -ENOMEM;
	r = nfplan_text(p, src, path, n, nl, what);
	free(n);
	return r;
}

static int plan_nft(const struct fsrc *src, const struct fwb_fw *f, int port, const char *date, struct nf_plan *p)
{
	struct fwnft_spot sp[16];
	int n = 0, r = fwnft_accept_spots(src, f->file, port, sp, 16, &n);
	if (r)
		return r;
	if (!n)
		return rc_fail(ENOENT, "%s: no input chain that drops", f->file);
	qsort(sp, (size_t)n, sizeof(sp[0]), spot_cmp);
	for (int i = 0; i < n && !r; i++) {
		char ins[600], what[300], ind[32] = "";
		if (sp[i].block) {
			char *text;
			size_t len;
			if (!(r = nfplan_read(p, src, sp[i].file, (size_t)16 << 20, &text, &len))) {
				nf_indent_of(text, len, sp[i].has_rules ? sp[i].line : sp[i].line - 1, ind, sizeof(ind));
				free(text);
			}
			snprintf(ins, sizeof(ins), "%s# rescuectl doctor %s: let sshd in\n%stcp dport %d accept\n", ind, date,
				 ind, port);
			snprintf(what, sizeof(what), "insert 'tcp dport %d accept' at the top of chain %s (table %s %s)",
				 port, sp[i].chain, sp[i].family, sp[i].table);
			if (!r)
				r = insert_at(p, src, sp[i].file, sp[i].line, ins, what);
		} else {
			snprintf(ins, sizeof(ins), "# rescuectl doctor %s: let sshd in\ninsert rule %s %s %s tcp dport %d "
				 "accept\n", date, sp[i].family, sp[i].table, sp[i].chain, port);
			snprintf(what, sizeof(what), "add 'insert rule %s %s %s tcp dport %d accept' at the end",
				 sp[i].family, sp[i].table, sp[i].chain, port);
			r = insert_at(p, src, f->file, 1 << 30, ins, what);
		}
	}
	return r;
}

static int plan_ipt(const struct fsrc *src, const struct fwb_fw *f, int port, const char *date, struct nf_plan *p)
{
	char *text, ins[300], what[200];
	size_t len;
	int r = nfplan_read(p, src, f->file, IPT_MAX_FILE, &text, &len);
	if (r)
		return r;
	int line = fwipt_accept_line(text, len);
	free(text);
	if (!line)
		return rc_fail(ENOENT, "%s has no filter table", f->file);
	snprintf(ins, sizeof(ins), "# rescuectl doctor %s: let sshd in\n-A INPUT -p tcp -m tcp --dport %d -j ACCEPT\n",
		 date, port);
	snprintf(what, sizeof(what), "insert '-A INPUT -p tcp -m tcp --dport %d -j ACCEPT' before the other INPUT rules",
		 port);
	return insert_at(p, src, f->file, line, ins, what);
}

/* The first line of TEXT that starts with PREFIX (after blanks), 0 none. */
static int line_with(const char *text, size_t len, const char *prefix)
{
	int line = 0;
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - text) : len, q = p;
		line++;
		while (q < e && (text[q] == ' ' || text[q] == '\t'))
			q++;
		if (!strncmp(text + q, prefix, strlen(prefix)))
			return line;
		p = e + 1;
	}
	return 0;
}

/* ufw: the rule `ufw allow PORT/tcp` writes, with its tuple comment. */
static int plan_ufw(const struct fsrc *src, int port, struct nf_plan *p)
{
	const char *path = "/etc/ufw/user.rules";
	char *text, ins[300], what[200];
	size_t len;
	int r = nfplan_read(p, src, path, IPT_MAX_FILE, &text, &len);
	if (r)
		return r == -ENOENT ? rc_fail(ENOENT, "%s is missing", path) : r;
	int line = line_with(text, len, "### RULES ###");
	line = line ? line + 1 : line_with(text, len, "-A ufw-user-input");
	if (!line)
		line = line_with(text, len, "COMMIT");
	free(text);
	if (!line)
		return rc_fail(EINVAL, "%s has no place for a user rule", path);
	snprintf(ins, sizeof(ins), "\n### tuple ### allow tcp %d 0.0.0.0/0 any 0.0.0.0/0 in\n"
		 "-A ufw-user-input -p tcp --dport %d -j ACCEPT\n", port, port);
	snprintf(what, sizeof(what), "add the rule 'ufw allow %d/tcp' writes", port);
	return insert_at(p, src, path, line, ins, what);
}

static int plan_fwd(const struct fsrc *src, const struct fwb_fw *f, int port, struct nf_plan *p)
{
	const char *slash = strrchr(f->file, '/');
	char zone[64], path[300], ins[200], what[300], *text, *n;
	size_t len, nl;
	int in_etc;
	snprintf(zone, sizeof(zone), "%s", slash ? slash + 1 : f->file);
	if (fs_endswith(zone, ".xml"))
		zone[strlen(zone) - 4] = 0;
	int r = fwfwd_zone_file(src, zone, path, sizeof(path), &in_etc);
	if (!r)
		r = nfplan_read(p, src, path, FWD_MAX_FILE, &text, &len);
	if (r)
		return r;
	int line = line_with(text, len, "</zone>");
	if (!line) {
		free(text);
		return rc_fail(EINVAL, "%s has no </zone>", path);
	}
	if (port == 22)
		snprintf(ins, sizeof(ins), "  <service name=\"ssh\"/>\n");
	else
		snprintf(ins, sizeof(ins), "  <port protocol=\"tcp\" port=\"%d\"/>\n", port);
	n = nf_insert_line(text, len, line, ins, &nl);
	free(text);
	if (!n)
		return -ENOMEM;
	snprintf(what, sizeof(what), "add %.*s to zone %s", (int)strlen(ins) - 3, ins + 2, zone);
	if (in_etc) {
		r = nfplan_text(p, src, path, n, nl, what);
	} else if (fsrc_type(src, "/etc/firewalld/zones", 1) != 'd') {
		r = rc_fail(ENOENT, "/etc/firewalld/zones is missing: cannot override zone %s", zone);
	} else {
		char etc[300];
		snprintf(etc, sizeof(etc), "/etc/firewalld/zones/%s.xml", zone);
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " (a copy of %s in /etc, as firewall-cmd "
			 "--permanent makes)", path);
		r = nfplan_create(p, etc, n, nl, 0644, what);
	}
	free(n);
	return r;
}

int fwboot_plan_accept(const struct fsrc *src, const struct fwboot *b, enum fwb_kind k, const char *date,
		       struct nf_plan *p)
{
	const struct fwb_fw *f = &b->fw[k];
	if (!f->loaded)
		return rc_fail(EINVAL, "%s is not loaded at boot", f->name);
	switch (k) {
	case FWB_NFTABLES: return plan_nft(src, f, b->port, date, p);
	case FWB_IPTABLES: return plan_ipt(src, f, b->port, date, p);
	case FWB_UFW: return plan_ufw(src, b->port, p);
	case FWB_FIREWALLD: return plan_fwd(src, f, b->port, p);
	default: return -EINVAL;
	}
}

/* Every link that starts SVC at boot, from /etc only (a static link in /usr is the package's). */
static int unlink_links(const struct fsrc *src, enum svc_init init, const char *svc, struct nf_plan *p)
{
	int found = 0, r = 0;
	const char *base = init == SVC_INIT_SYSTEMD ? "/etc/systemd/system" : init == SVC_INIT_OPENRC ?
			   "/etc/runlevels" : "/etc";
	char **names;
	size_t n;
	if (fsrc_list(src, base, &names, &n))
		return rc_fail(ENOENT, "%s cannot be read", base);
	for (size_t i = 0; i < n && !r; i++) {
		char dir[600], link[700], what[800];
		int ok = init == SVC_INIT_SYSTEMD ? fs_endswith(names[i], ".wants") || fs_endswith(names[i], ".requires") :
			 init == SVC_INIT_OPENRC ? 1 : !strncmp(names[i], "rc", 2) && fs_endswith(names[i], ".d");
		if (!ok)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		char **ln;
		size_t nl;
		if (fsrc_list(src, dir, &ln, &nl))
			continue;
		for (size_t j = 0; j < nl && !r; j++) {
			int hit = init == SVC_INIT_SYSTEMD ? !strncmp(ln[j], svc, strlen(svc)) && !strcmp(ln[j] + strlen(svc),
				  ".service") : init == SVC_INIT_OPENRC ? !strcmp(ln[j], svc) :
				  ln[j][0] == 'S' && strlen(ln[j]) > 3 && !strcmp(ln[j] + 3, svc);
			if (!hit)
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, ln[j]);
			snprintf(what, sizeof(what), "remove the link, so %s is not started at boot", svc);
			r = nfplan_unlink(p, link, what);
			found++;
		}
		tree_free_list(ln, nl);
	}
	tree_free_list(names, n);
	if (!r && !found)
		r = rc_fail(ENOENT, "no link in %s starts %s", base, svc);
	return r;
}

int fwboot_plan_disable(const struct fsrc *src, const struct fwboot *b, enum fwb_kind k, struct nf_plan *p)
{
	const struct fwb_fw *f = &b->fw[k];
	if (k != FWB_UFW)
		return unlink_links(src, b->init, f->service, p);
	struct flines l;
	int r = flines_read(src, "/etc/ufw/ufw.conf", 1 << 20, &l);
	if (r)
		return r;
	char v[64];
	int at = fs_shvar_get(&l, "ENABLED", v, sizeof(v));
	flines_free(&l);
	char *text, *n;
	size_t len, nl;
	if ((r = nfplan_read(p, src, "/etc/ufw/ufw.conf", 1 << 20, &text, &len)))
		return r;
	n = nf_insert_line(text, len, at ? at : 1 << 30, "ENABLED=no\n", &nl);
	free(text);
	if (!n)
		return -ENOMEM;
	if (at) {   /* drop the old ENABLED line, now one below */
		char *s = n;
		for (int i = 1; i <= at && s; i++)
			s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL;
		if (s) {
			char *e = strchr(s, '\n');
			size_t cut = e ? (size_t)(e - s) + 1 : strlen(s);
			memmove(s, s + cut, nl - (size_t)(s - n) - cut + 1);
			nl -= cut;
		}
	}
	r = nfplan_text(p, src, "/etc/ufw/ufw.conf", n, nl, "set ENABLED=no: ufw loads no rules at boot");
	free(n);
	return r;
}

int fwboot_after(const struct fsrc *src, const struct nf_plan *p, int port, struct fw_result *after)
{
	struct fsrc view;
	struct nf_overlay o;
	struct fwboot b;
	nfplan_overlay(&view, &o, src, p);
	int r = fwboot_scan(&view, port, &b);
	*after = b.all;
	return r;
}
