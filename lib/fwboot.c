/* fwboot: the firewall loaded at boot, its verdict for sshd's port, its fixes. */
#include "fwboot.h"
#include "fwfwd.h"
#include "fwipt.h"
#include "fwnft.h"
#include "fwufw.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fw_names[FWB_N] = { "nftables", "iptables", "ufw", "firewalld" };

/* "-f FILE" of the last ExecStart= of UNIT's file (drop-ins are not read). */
static int exec_file(const struct fsrc *src, const char *unit, char *file, size_t sz)
{
	struct flines l;
	int found = 0;
	if (!unit[0] || flines_read(src, unit, 1 << 20, &l))
		return 0;
	for (int i = 0; i < l.n; i++) {
		char *s = fs_trim(l.line[i]), *f;
		if (strncmp(s, "ExecStart=", 10) || !(f = strstr(s, " -f ")))
			continue;
		f += 4;
		while (*f == ' ')
			f++;
		size_t n = strcspn(f, " \t;");
		if (n && n < sz && f[0] == '/') {
			snprintf(file, sz, "%.*s", (int)n, f);
			found = 1;
		}
	}
	flines_free(&l);
	return found;
}

static void nft_where(const struct fsrc *src, struct fwboot *b, struct fwb_fw *f)
{
	snprintf(f->service, sizeof(f->service), "nftables");
	svc_state(src, b->init, "nftables", &f->svc);
	if (exec_file(src, f->svc.unit, f->file, sizeof(f->file)))
		return;
	if (b->init == SVC_INIT_OPENRC) {
		struct flines l;
		char v[256];
		snprintf(f->file, sizeof(f->file), "/etc/nftables.nft");
		if (!flines_read(src, "/etc/conf.d/nftables", 1 << 20, &l)) {
			if (fs_shvar_get(&l, "rules_file", v, sizeof(v)) && v[0] == '/')
				snprintf(f->file, sizeof(f->file), "%s", v);
			flines_free(&l);
		}
		return;
	}
	snprintf(f->file, sizeof(f->file), fsrc_exists(src, "/etc/sysconfig/nftables.conf") &&
		 !fsrc_exists(src, "/etc/nftables.conf") ? "/etc/sysconfig/nftables.conf" : "/etc/nftables.conf");
}

static void ipt_where(const struct fsrc *src, struct fwboot *b, struct fwb_fw *f)
{
	static const struct { const char *svc, *file; } opt[] = {
		{ "netfilter-persistent", "/etc/iptables/rules.v4" },
		{ "iptables", "/etc/sysconfig/iptables" },
		{ "iptables", "/etc/iptables/rules-save" },
	};
	for (size_t k = 0; k < 3; k++) {
		struct svc_state st;
		svc_state(src, b->init, opt[k].svc, &st);
		int has = fsrc_exists(src, opt[k].file);
		if ((st.installed || has) && (!f->file[0] || (st.enabled && has && !f->loaded))) {
			f->svc = st;
			snprintf(f->service, sizeof(f->service), "%s", opt[k].svc);
			snprintf(f->file, sizeof(f->file), "%s", opt[k].file);
			f->loaded = st.enabled && has;
		}
	}
	f->loaded = 0;
}

static void load_one(const struct fsrc *src, struct fwboot *b, struct fwb_fw *f)
{
	struct fw_set s = { 0 };
	int r = 0;
	rc_clear();
	if (f->kind == FWB_NFTABLES) {
		r = fwnft_load(src, f->file, b->port, &s);
	} else if (f->kind == FWB_IPTABLES) {
		r = fwipt_load(src, f->file, b->port, "iptables", &s);
	} else if (f->kind == FWB_UFW) {
		struct fwufw u;
		if (!(r = fwufw_conf(src, &u)))
			r = fwufw_load(src, &u, b->port, &s);
	} else {
		struct fwfwd fd;
		r = fwfwd_eval(src, b->port, &fd, &f->res);
		snprintf(f->file, sizeof(f->file), "%s", fd.zone_file);
	}
	if (r) {
		snprintf(f->err, sizeof(f->err), "%s", r == -ENOENT && !rc_msg()[0] ? "a file is missing" : rc_msg());
		f->res.v = FW_UNCERTAIN;
		snprintf(f->res.why, sizeof(f->res.why), "its rules cannot be read: %s", f->err);
		b->unreadable = 1;
	} else if (f->kind != FWB_FIREWALLD) {
		fw_evaluate(&s, &f->res);
	}
	fw_set_free(&s);
}

static void why_not(struct fwb_fw *f)
{
	if (f->svc.masked)
		snprintf(f->why_not, sizeof(f->why_not), "%s.service is masked", f->service);
	else if (!f->svc.installed)
		snprintf(f->why_not, sizeof(f->why_not), "%s is not installed (no unit or init script)", f->service);
	else
		snprintf(f->why_not, sizeof(f->why_not), "%s is not enabled at boot", f->service);
}

static void scan_ufw(const struct fsrc *src, struct fwboot *b, struct fwb_fw *f)
{
	struct fwufw u;
	snprintf(f->service, sizeof(f->service), "ufw");
	svc_state(src, b->init, "ufw", &f->svc);
	snprintf(f->file, sizeof(f->file), "/etc/ufw/user.rules");
	if (fwufw_conf(src, &u))
		return;
	f->configured = 1;
	f->loaded = f->svc.enabled && u.enabled;
	if (!u.enabled)
		snprintf(f->why_not, sizeof(f->why_not), "ENABLED=no in /etc/ufw/ufw.conf%s", u.enabled_line ? "" :
			 " (not set)");
	else if (!f->svc.enabled)
		why_not(f);
}

int fwboot_scan(const struct fsrc *src, int port, struct fwboot *b)
{
	memset(b, 0, sizeof(*b));
	b->port = port;
	b->init = svc_init_system(src);
	if (b->init == SVC_INIT_UNKNOWN)
		b->init = SVC_INIT_SYSTEMD;
	for (int k = 0; k < FWB_N; k++) {
		struct fwb_fw *f = &b->fw[k];
		f->kind = (enum fwb_kind)k;
		f->name = fw_names[k];
		if (k == FWB_NFTABLES)
			nft_where(src, b, f);
		else if (k == FWB_IPTABLES)
			ipt_where(src, b, f);
		else if (k == FWB_FIREWALLD) {
			snprintf(f->service, sizeof(f->service), "firewalld");
			svc_state(src, b->init, "firewalld", &f->svc);
		}
		if (k == FWB_UFW) {
			scan_ufw(src, b, f);
		} else {
			f->configured = k == FWB_FIREWALLD ? f->svc.installed || fsrc_exists(src, "/etc/firewalld") :
				fsrc_type(src, f->file, 1) == 'f';
			f->loaded = f->configured && f->svc.enabled;
			if (f->configured && !f->loaded)
				why_not(f);
		}
		if (!f->loaded)
			continue;
		b->nloaded++;
		load_one(src, b, f);
		if (b->nloaded == 1)
			b->all = f->res;
		else
			fw_combine(&b->all, &f->res);
	}
	if (!b->nloaded)
		b->all.v = FW_NONE;
	return 0;
}
