/* doctor, family sshd: a configuration sshd -t rejects, host keys, the
 * modes sshd insists on, ListenAddress, and sshd enabled at boot. */
#include "doctor_priv.h"
#include "sshd.h"
#include "sshkw.h"
#include "err.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BAD 64
#define MAX_SET 16

struct sshd_place {
	char file[256];
	int line;
	char val[256];
	char why[256];        /* bad lines: what sshd -t says */
	int match_kw;         /* a Match line (not fixed by commenting out) */
};

struct dr_sshd {
	struct sshd_conf conf;
	int r;                /* sshd_scan's result */
	struct sshd_place bad[MAX_BAD];
	int nbad;
	struct sshd_place hostkey[MAX_SET], listen[MAX_SET], include[MAX_SET];
	int nhostkey, nlisten, ninclude;
	char akf[512];        /* AuthorizedKeysFile (global) */
	int strictmodes;      /* 1 unless "StrictModes no" */
	int strict_set;
};

void dr_sshd_free(struct dr_sshd *s)
{
	free(s);
}

static void place(struct sshd_place *p, int *n, const char *file, int line, const char *val)
{
	if (*n >= MAX_SET)
		return;
	struct sshd_place *x = &p[(*n)++];
	snprintf(x->file, sizeof(x->file), "%s", file);
	x->line = line;
	snprintf(x->val, sizeof(x->val), "%s", val);
}

static void on_line(void *ud, const char *file, int line, const char *kw, char **av, int ac, int in_match)
{
	struct dr_sshd *s = ud;
	char why[256];
	if (sshkw_check(kw, av, ac, in_match, why, sizeof(why))) {
		if (s->nbad < MAX_BAD) {
			struct sshd_place *b = &s->bad[s->nbad++];
			snprintf(b->file, sizeof(b->file), "%s", file);
			b->line = line;
			snprintf(b->why, sizeof(b->why), "%s", why);
			b->match_kw = sshkw_is(kw, "match");
		}
		return;
	}
	if (ac < 1 || in_match)
		return;
	if (sshkw_is(kw, "hostkey"))
		place(s->hostkey, &s->nhostkey, file, line, av[0]);
	else if (sshkw_is(kw, "listenaddress"))
		place(s->listen, &s->nlisten, file, line, av[0]);
	else if (sshkw_is(kw, "strictmodes") && !s->strict_set) {
		s->strict_set = 1;
		s->strictmodes = strcasecmp(av[0], "no") != 0;
	}
	else if (sshkw_is(kw, "authorizedkeysfile") && !s->akf[0])
		for (int i = 0; i < ac; i++)
			snprintf(s->akf + strlen(s->akf), sizeof(s->akf) - strlen(s->akf), "%s%s", i ? " " : "", av[i]);
	else if (sshkw_is(kw, "include"))
		for (int i = 0; i < ac; i++)
			if (!strpbrk(av[i], "*?["))
				place(s->include, &s->ninclude, file, line, av[i]);
}

static struct dr_sshd *facts(struct dr_ctx *c)
{
	struct dr_facts *f = c->facts;
	if (f->sshd)
		return f->sshd;
	struct dr_sshd *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	f->sshd = s;
	s->strictmodes = 1;
	s->r = sshd_scan_lines(c->v->fs[0].tree, &s->conf, on_line, s);
	return s;
}

const struct sshd_conf *dr_sshd_conf(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	return s && s->conf.exists && !s->r ? &s->conf : NULL;
}

static int sshd_installed(struct dr_ctx *c)
{
	return dv_exists(c->v, "/usr/sbin/sshd") == 1 || dv_exists(c->v, "/sbin/sshd") == 1;
}

/* ---- the configuration ------------------------------------------------------ */

int ck_sshd_config(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	if (!s)
		return -ENOMEM;
	if (!s->conf.exists) {
		if (sshd_installed(c))
			dr_fixtext(dr_add(c, DR_LOGIN, "/etc/ssh/sshd_config", 0, NULL, "sshd is installed but "
					  "/etc/ssh/sshd_config is missing: sshd does not start"), "reinstall "
				   "openssh-server, or write a minimal /etc/ssh/sshd_config");
		return 0;
	}
	for (int i = 0; i < s->nbad; i++) {
		const struct sshd_place *b = &s->bad[i];
		struct dr_text t = { 0 };
		dr_text_load(c, b->file, SSHD_MAX_FILE, 0, &t);
		struct dr_finding *f = dr_add(c, DR_LOGIN, b->file, b->line, dr_line(&t, b->line), "%s: sshd -t rejects "
					      "this line and sshd does not start", b->why);
		dr_text_free(&t);
		if (!f)
			continue;
		snprintf(f->key, sizeof(f->key), "%s", b->file);
		f->n = b->line;
		f->fixable = !b->match_kw;
		dr_fixtext(f, b->match_kw ? "correct the Match line (man sshd_config, MATCH): commenting it out would "
			   "make what follows apply to everyone" : "rescuectl doctor --fix %s %s (comments the line out "
			   "with a dated note), or correct it", f->row->id, dr_target(c));
	}
	if (s->r && s->conf.sshd_refuses && !s->nbad)
		dr_fixtext(dr_add(c, DR_LOGIN, "/etc/ssh/sshd_config", 0, s->conf.problem, "sshd does not start with "
				  "this configuration: %s", s->conf.problem), "correct the Include lines named");
	return 0;
}

int fx_sshd_comment_line(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	const char *text;
	size_t len, end;
	char day[16], what[DR_TEXT];
	int r = dr_fix_text(p, f->key, &text, &len);
	if (r)
		return r;
	long at = dr_find_line(text, len, f->seen, &end);
	if (at < 0)
		return rc_fail(ENOENT, "line %ld of %s is no longer \"%s\"", f->n, f->key, f->seen);
	const char *cut = strstr(f->what, ": sshd -t rejects");
	int wl = cut ? (int)(cut - f->what) : (int)strlen(f->what);
	size_t cap = len + 2 * DR_TEXT;
	char *out = malloc(cap);
	if (!out)
		return rc_fail(ENOMEM, "out of memory");
	int w = snprintf(out, cap, "%.*s# rescuectl doctor %s, %s: sshd -t rejects the next line (%.*s)\n#", (int)at,
			 text, dr_today(c, day, sizeof(day)), f->row->id, wl, f->what);
	memcpy(out + w, text + at, len - (size_t)at);
	snprintf(what, sizeof(what), "comment out line %ld", f->n);
	r = dr_fix_set_text(p, f->key, out, (size_t)w + len - (size_t)at, what);
	free(out);
	return r;
}

int ck_sshd_include_missing(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	for (int i = 0; s && i < s->ninclude; i++) {
		const struct sshd_place *x = &s->include[i];
		char p[600];
		snprintf(p, sizeof(p), "%s%s", x->val[0] == '/' ? "" : "/etc/ssh/", x->val);
		if (dv_exists(c->v, p) != 0)
			continue;
		struct dr_text t = { 0 };
		dr_text_load(c, x->file, SSHD_MAX_FILE, 0, &t);
		struct dr_finding *f = dr_add(c, DR_NOTE, x->file, x->line, dr_line(&t, x->line), "Include names %s, "
					      "which is not there: sshd goes on without it, so its settings are not in "
					      "force", p);
		dr_text_free(&t);
		dr_fixtext(f, "restore %s, or remove the Include line", p);
	}
	return 0;
}

/* ---- host keys --------------------------------------------------------------------- */

/* The private host keys sshd loads: HostKey lines, else the defaults. */
static int hostkeys(const struct dr_sshd *s, char keys[][300], int max)
{
	static const char *const def[] = { "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key",
					   "/etc/ssh/ssh_host_ed25519_key" };
	int n = 0;
	for (int i = 0; i < s->nhostkey && n < max; i++)
		snprintf(keys[n++], 300, "%s%s", s->hostkey[i].val[0] == '/' ? "" : "/etc/ssh/", s->hostkey[i].val);
	for (int i = 0; !s->nhostkey && i < 3; i++)
		snprintf(keys[n++], 300, "%s", def[i]);
	return n;
}

/* Does something make missing host keys at boot (sshd-keygen, an init script's ssh-keygen -A)? */
static int keygen_at_boot(struct dr_ctx *c)
{
	static const char *const units[] = { "/usr/lib/systemd/system/sshd-keygen@.service",
					     "/lib/systemd/system/sshd-keygen@.service", "/usr/lib/systemd/system/sshd-keygen.service" };
	static const char *const scripts[] = { "/etc/init.d/sshd", "/etc/init.d/ssh", "/lib/systemd/system/ssh.service",
					       "/usr/lib/systemd/system/ssh.service", "/usr/lib/systemd/system/sshd.service" };
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (dv_exists(c->v, units[i]) == 1)
			return 1;
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		char *buf;
		size_t len;
		if (dv_read(c->v, scripts[i], &buf, &len, (size_t)1 << 20))
			continue;
		int yes = memmem(buf, len, "ssh-keygen -A", 13) || memmem(buf, len, "keygen", 6);
		free(buf);
		if (yes)
			return 1;
	}
	return 0;
}

int ck_sshd_host_keys(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	char keys[MAX_SET + 3][300];
	if (!s || !s->conf.exists)
		return 0;
	int n = hostkeys(s, keys, MAX_SET), have = 0;
	for (int i = 0; i < n; i++)
		have += dv_exists(c->v, keys[i]) == 1;
	if (have || keygen_at_boot(c))
		return 0;
	struct dr_finding *f = dr_add(c, DR_LOGIN, keys[0], 0, NULL, "sshd has no host key (%d looked for) and nothing "
				      "makes them at boot: sshd does not start (\"no hostkeys available\")", n);
	dr_fixtext(f, "make them: 'rescuectl mount-root', then 'chroot /mnt ssh-keygen -A' (or 'ssh-keygen -A -f /mnt' "
		   "from the rescue system)");
	return 0;
}

/* Is GID the ssh_keys group (RHEL lets it read the keys)? */
static int ssh_keys_gid(struct dr_ctx *c, gid_t gid)
{
	const struct dr_text *g = dr_accounts(c, "group");
	char v[32];
	int l = dr_account_line(g, "ssh_keys");
	return l && !dr_field(dr_line(g, l), 2, v, sizeof(v)) && (gid_t)strtoul(v, NULL, 10) == gid;
}

int ck_sshd_host_key_perms(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	char keys[MAX_SET + 3][300];
	struct dr_finding *found[MAX_SET + 3];
	int n = s && s->conf.exists ? hostkeys(s, keys, MAX_SET) : 0, have = 0, bad = 0;
	for (int i = 0; i < n; i++) {
		struct tree_stat m;
		char seen[96];
		if (dv_meta(c->v, keys[i], 1, &m) || m.type != 'f')
			continue;
		have++;
		mode_t allowed = ssh_keys_gid(c, m.gid) ? 0640 : 0600;
		if (m.uid != 0 || !(m.mode & 077 & ~allowed))
			continue;
		snprintf(seen, sizeof(seen), "mode %04o, owner %u, group %u", (unsigned)m.mode, (unsigned)m.uid, (unsigned)m.gid);
		struct dr_finding *f = found[bad++] = dr_add(c, DR_DEGRADED, keys[i], 0, seen, "the private host key is "
							       "readable by others: sshd refuses to load it "
							       "(\"UNPROTECTED PRIVATE KEY FILE\")");
		if (!f)
			continue;
		snprintf(f->key, sizeof(f->key), "%s", keys[i]);
		f->n = m.mode & ~(077 & ~allowed);
		f->n2 = f->n3 = -1;
		dr_fixtext(f, "rescuectl doctor --fix %s %s (chmod %04lo)", f->row->id, dr_target(c), f->n);
	}
	for (int i = 0; bad == have && i < bad; i++)
		if (found[i])
			found[i]->sev = DR_LOGIN;   /* no key sshd would load: it does not start */
	return 0;
}

/* ---- modes sshd insists on ------------------------------------------------------ */

/* A finding for an owner or mode problem of PATH, fixed to MODE with owner UID (-1 keep). */
static struct dr_finding *attr_finding(struct dr_ctx *c, enum dr_sev sev, const char *path, const struct tree_stat *m,
				       mode_t mode, long uid, const char *what)
{
	char seen[96];
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].row == c->row && !strcmp(c->f[i].key, path))
			return NULL;   /* two key files in one directory: one finding for it */
	snprintf(seen, sizeof(seen), "mode %04o, owner %u, group %u", (unsigned)m->mode, (unsigned)m->uid, (unsigned)m->gid);
	struct dr_finding *f = dr_add(c, sev, path, 0, seen, "%s", what);
	if (!f)
		return NULL;
	snprintf(f->key, sizeof(f->key), "%s", path);
	f->n = mode;
	f->n2 = -1;
	f->n3 = uid;
	dr_fixtext(f, "rescuectl doctor --fix %s %s (%s%schmod %04o)", f->row->id, dr_target(c), uid >= 0 ? "chown " : "",
		   uid >= 0 ? (uid ? "the owner, " : "root, ") : "", (unsigned)mode);
	return f;
}

int ck_sshd_privsep(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	struct tree_stat m;
	if (!s || !s->conf.exists || !sshd_installed(c))
		return 0;
	/* compiled into sshd: Debian/Ubuntu use /run/sshd (made at boot), RHEL /var/empty/sshd, Alpine /var/empty */
	const char *dir = dr_os_is(c, "rhel") ? "/var/empty/sshd" : dr_os_is(c, "alpine") ? "/var/empty" : NULL;
	if (!dir)
		return 0;
	int r = dv_meta(c->v, dir, 1, &m);
	if (r == -ENOENT) {
		dr_fixtext(dr_add(c, DR_LOGIN, dir, 0, NULL, "sshd's privilege separation directory %s is missing: sshd "
				  "does not start", dir), "mkdir -m 0711 %s (owner root) in the tree", dir);
		return 0;
	}
	if (r || m.type != 'd' || (m.uid == 0 && !(m.mode & 022)))
		return r == -ENODATA ? 0 : r;
	attr_finding(c, DR_LOGIN, dir, &m, m.mode & ~022, 0, "sshd's privilege separation directory must be owned by "
		     "root and not writable by others: sshd does not start");
	return 0;
}

int ck_sshd_etc_ssh(struct dr_ctx *c)
{
	static const char *const paths[] = { "/etc/ssh", "/etc/ssh/sshd_config" };
	for (size_t i = 0; i < 2; i++) {
		struct tree_stat m;
		if (dv_meta(c->v, paths[i], 1, &m) || (m.uid == 0 && !(m.mode & 022)))
			continue;
		attr_finding(c, DR_DEGRADED, paths[i], &m, m.mode & ~022, 0, "writable by others than root: anyone "
			     "who can write it controls sshd and its host keys");
	}
	return 0;
}

/* StrictModes: the key file and each directory up to the home must be
 * owned by root or the user and writable by no one else. */
static void check_key_path(struct dr_ctx *c, const char *file, const char *home, uid_t uid, const char *user)
{
	char p[600], what[DR_TEXT];
	snprintf(p, sizeof(p), "%s", file);
	for (int depth = 0; depth < 16; depth++) {
		struct tree_stat m;
		if (dv_meta(c->v, p, 1, &m))
			return;
		if ((m.uid != 0 && m.uid != uid) || (m.mode & 022)) {
			snprintf(what, sizeof(what), "sshd ignores %s's authorized keys: %s %s (\"Authentication refused: "
				 "bad ownership or modes\")", user, p, (m.mode & 022) ? "is writable by others" : "has another owner");
			attr_finding(c, DR_LOGIN, p, &m, m.mode & ~022, m.uid != 0 && m.uid != uid ? (long)uid : -1, what);
		}
		if (!strcmp(p, home) || !strcmp(p, "/"))
			return;
		char *sl = strrchr(p, '/');
		if (!sl)
			return;
		if (sl == p)
			sl[1] = 0;
		else
			*sl = 0;
	}
}

int ck_sshd_authorized_keys(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	const struct dr_text *pw = dr_accounts(c, "passwd");
	if (!s || !s->conf.exists || !s->strictmodes || pw->state != 1)
		return 0;
	const char *akf = s->akf[0] ? s->akf : ".ssh/authorized_keys .ssh/authorized_keys2";
	for (int l = 0; l < pw->n && l < 5000; l++) {
		char name[128], home[400], uidv[32], shell[256], pats[512], *save = NULL;
		const char *line = pw->line[l];
		if (dr_field(line, 0, name, sizeof(name)) || dr_field(line, 2, uidv, sizeof(uidv)) ||
		    dr_field(line, 5, home, sizeof(home)) || dr_field(line, 6, shell, sizeof(shell)) || home[0] != '/')
			continue;
		long uid = strtol(uidv, NULL, 10);
		if (!(uid == 0 && !strcmp(name, "root")) && (uid < 1000 || uid >= 60000))
			continue;
		snprintf(pats, sizeof(pats), "%s", akf);
		for (char *pt = strtok_r(pats, " ", &save); pt; pt = strtok_r(NULL, " ", &save)) {
			char file[900];
			if (strchr(pt, '%') && strcmp(pt, "%h/.ssh/authorized_keys"))
				continue;   /* %u and the like: not followed */
			snprintf(file, sizeof(file), "%s/%s", strcmp(home, "/") ? home : "",
				 !strncmp(pt, "%h/", 3) ? pt + 3 : pt[0] == '/' ? pt + 1 : pt);
			if (pt[0] == '/' && !strchr(pt, '%'))
				snprintf(file, sizeof(file), "%s", pt);
			if (dv_exists(c->v, file) == 1)
				check_key_path(c, file, home, (uid_t)uid, name);
		}
	}
	return 0;
}

/* ---- ListenAddress ----------------------------------------------------------------- */

/* The address part of a ListenAddress value ("[::1]:22", "10.0.0.1:2222", "::1"). */
static void addr_of(const char *v, char *out, size_t sz)
{
	const char *c1 = strchr(v, ':');
	if (v[0] == '[')
		snprintf(out, sz, "%.*s", (int)strcspn(v + 1, "]"), v + 1);
	else if (c1 && !strchr(c1 + 1, ':'))
		snprintf(out, sz, "%.*s", (int)(c1 - v), v);
	else
		snprintf(out, sz, "%s", v);
	out[strcspn(out, " ")] = 0;
}

/* Does this machine (the rescue system on the same hardware) have ADDR? */
static int local_addr(const char *addr)
{
	struct ifaddrs *ifs, *i;
	char buf[INET6_ADDRSTRLEN];
	int yes = 0;
	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !yes; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		const void *a = i->ifa_addr->sa_family == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
								  : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		yes = inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf)) && !strcmp(buf, addr);
	}
	freeifaddrs(ifs);
	return yes;
}

/* Is ADDR written in one of the target's network configurations (a static address)? */
static int configured(struct dr_ctx *c, const char *addr)
{
	static const char *const dirs[] = { "/etc/network/interfaces.d", "/etc/netplan", "/etc/sysconfig/network-scripts",
					    "/etc/NetworkManager/system-connections", "/etc/systemd/network" };
	char *buf, p[600];
	size_t len, n;
	char **names;
	int yes = 0;
	if (!dv_read(c->v, "/etc/network/interfaces", &buf, &len, (size_t)1 << 20)) {
		yes = memmem(buf, len, addr, strlen(addr)) != NULL;
		free(buf);
	}
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && !yes; d++) {
		if (dv_list(c->v, dirs[d], &names, &n))
			continue;
		for (size_t i = 0; i < n && i < 256 && !yes; i++) {
			snprintf(p, sizeof(p), "%s/%s", dirs[d], names[i]);
			if (dv_read(c->v, p, &buf, &len, (size_t)1 << 20))
				continue;
			yes = memmem(buf, len, addr, strlen(addr)) != NULL;
			free(buf);
		}
		tree_free_list(names, n);
	}
	return yes;
}

int ck_sshd_listen(struct dr_ctx *c)
{
	struct dr_sshd *s = facts(c);
	struct dr_finding *found[MAX_SET];
	int bad = 0, usable = 0;
	for (int i = 0; s && i < s->nlisten; i++) {
		char a[256];
		struct in6_addr b6;
		addr_of(s->listen[i].val, a, sizeof(a));
		int ip = inet_pton(AF_INET, a, &b6) == 1 || inet_pton(AF_INET6, a, &b6) == 1;
		if (!ip || !strcmp(a, "0.0.0.0") || !strcmp(a, "::") || !strncmp(a, "127.", 4) || !strcmp(a, "::1") ||
		    local_addr(a) || configured(c, a)) {
			usable++;
			continue;
		}
		struct dr_text t = { 0 };
		dr_text_load(c, s->listen[i].file, SSHD_MAX_FILE, 0, &t);
		found[bad++] = dr_add(c, DR_DEGRADED, s->listen[i].file, s->listen[i].line, dr_line(&t, s->listen[i].line),
				      "ListenAddress %s: this server has no such address (not on this machine, not in "
				      "its network configuration)", a);
		dr_text_free(&t);
		if (found[bad - 1])
			dr_fixtext(found[bad - 1], "correct or remove the ListenAddress line");
	}
	for (int i = 0; !usable && i < bad; i++)
		if (found[i]) {
			found[i]->sev = DR_LOGIN;
			snprintf(found[i]->what + strlen(found[i]->what), sizeof(found[i]->what) - strlen(found[i]->what),
				 "; sshd binds no address and stops (\"Cannot bind any address\")");
		}
	return 0;
}

/* ---- enabled at boot ---------------------------------------------------------------- */

static const char *const units[] = { "ssh.service", "sshd.service", "ssh.socket", "sshd.socket" };
#define NUNITS (sizeof(units) / sizeof(units[0]))

/* A unit linked to /dev/null in /etc/systemd/system: masked. */
static int masked(struct dr_ctx *c, const char *unit)
{
	char p[300], tgt[300];
	snprintf(p, sizeof(p), "/etc/systemd/system/%s", unit);
	return dv_readlink(c->v, p, tgt, sizeof(tgt)) == 0 && !strcmp(tgt, "/dev/null");
}

/* Is UNIT wanted or required by some target (a working link in a .wants/.requires directory)? */
static int wanted(struct dr_ctx *c, const char *unit)
{
	static const char *const bases[] = { "/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system" };
	int yes = 0;
	for (size_t b = 0; b < 3 && !yes; b++) {
		char **names, p[600];
		size_t n;
		if (dv_list(c->v, bases[b], &names, &n))
			continue;
		for (size_t i = 0; i < n && !yes; i++) {
			size_t l = strlen(names[i]);
			if ((l < 7 || strcmp(names[i] + l - 6, ".wants")) && (l < 10 || strcmp(names[i] + l - 9, ".requires")))
				continue;
			snprintf(p, sizeof(p), "%s/%s/%s", bases[b], names[i], unit);
			yes = dv_exists(c->v, p) == 1;
		}
		tree_free_list(names, n);
	}
	return yes;
}

static int systemd_enabled(struct dr_ctx *c, char *why, size_t wsz)
{
	int any_unit = 0;
	for (size_t i = 0; i < NUNITS; i++) {
		char p[300];
		snprintf(p, sizeof(p), "/lib/systemd/system/%s", units[i]);
		int has = dv_exists(c->v, p) == 1;
		snprintf(p, sizeof(p), "/usr/lib/systemd/system/%s", units[i]);
		has |= dv_exists(c->v, p) == 1;
		any_unit |= has;
		if (masked(c, units[i])) {
			snprintf(why, wsz, "%s is masked (/etc/systemd/system/%s -> /dev/null)", units[i], units[i]);
			return 0;
		}
		if (has && wanted(c, units[i]))
			return 1;
	}
	snprintf(why, wsz, any_unit ? "no target wants ssh.service, sshd.service or their socket" :
		 "there is no ssh or sshd unit");
	return 0;
}

static int rc_enabled(struct dr_ctx *c, int openrc)
{
	static const char *const rl[] = { "/etc/runlevels/default/sshd", "/etc/runlevels/boot/sshd" };
	if (openrc)
		return dv_exists(c->v, rl[0]) == 1 || dv_exists(c->v, rl[1]) == 1;
	for (const char *d = "/etc/rc2.d\0/etc/rc3.d\0/etc/rc5.d\0"; *d; d += strlen(d) + 1) {
		char **names;
		size_t n;
		int yes = 0;
		if (dv_list(c->v, d, &names, &n))
			continue;
		for (size_t i = 0; i < n && !yes; i++)
			yes = names[i][0] == 'S' && strstr(names[i], "ssh");
		tree_free_list(names, n);
		if (yes)
			return 1;
	}
	return 0;
}

int ck_sshd_enabled(struct dr_ctx *c)
{
	char why[300] = "";
	enum dr_initsys init = dr_init_system(c);
	int has_conf = dv_exists(c->v, "/etc/ssh/sshd_config") == 1;
	if (!sshd_installed(c)) {
		if (!has_conf)
			dr_fixtext(dr_add(c, DR_LOGIN, "/usr/sbin/sshd", 0, NULL, "sshd is not installed: nothing "
					  "answers on port 22"), "install openssh-server from a chroot");
		return 0;
	}
	if (dv_exists(c->v, "/etc/ssh/sshd_not_to_be_run") == 1) {
		dr_fixtext(dr_add(c, DR_LOGIN, "/etc/ssh/sshd_not_to_be_run", 0, NULL, "this file tells the ssh service "
				  "not to start"), "remove /etc/ssh/sshd_not_to_be_run");
		return 0;
	}
	int on = init == DR_INIT_SYSTEMD ? systemd_enabled(c, why, sizeof(why)) :
		 init == DR_INIT_OPENRC || init == DR_INIT_SYSV ? rc_enabled(c, init == DR_INIT_OPENRC) : 1;
	if (on)
		return 0;
	if (!why[0])
		snprintf(why, sizeof(why), init == DR_INIT_OPENRC ? "no /etc/runlevels/default/sshd link" :
			 "no S..ssh link in /etc/rc2.d, rc3.d or rc5.d");
	struct dr_finding *f = dr_add(c, DR_LOGIN, init == DR_INIT_SYSTEMD ? "/etc/systemd/system" : init == DR_INIT_OPENRC ?
				      "/etc/runlevels/default" : "/etc/rc2.d", 0, NULL, "sshd does not start at boot: %s", why);
	dr_fixtext(f, init == DR_INIT_SYSTEMD ? "systemctl --root=/mnt unmask ssh.service; systemctl --root=/mnt enable "
		   "ssh.service (sshd.service on RHEL/Fedora), after 'rescuectl mount-root'" : init == DR_INIT_OPENRC ?
		   "ln -s /etc/init.d/sshd /mnt/etc/runlevels/default/sshd, after 'rescuectl mount-root'" :
		   "chroot /mnt update-rc.d ssh enable, after 'rescuectl mount-root'");
	return 0;
}
