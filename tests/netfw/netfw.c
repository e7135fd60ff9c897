/* netfw: the test driver of the network and firewall analysis (lib/fw*.c,
 * lib/net*.c), below doctor: prints what the library finds in a
 * tree, plans fixes and applies them to a directory tree (tests only).
 *
 *   netfw fw --root DIR [--port N]            firewalls loaded at boot, verdicts, findings
 *   netfw fix --root DIR accept|disable NAME [--apply] [--port N]
 *   netfw nft FILE [--port N]                 the verdict of one nft file (read from /)
 *   netfw ipt FILE [--port N]                 the same for an iptables-save file
 *   netfw net --root DIR                      NICs, names, network configs, findings
 *
 * Output is line-oriented "key: value" for bats. Exit 0, 1 when findings, 2 usage, 3 error. */
#include "../../lib/err.h"
#include "../../lib/fsrc.h"
#include "../../lib/fwboot.h"
#include "../../lib/fwipt.h"
#include "../../lib/fwnft.h"
#include "../../lib/sshd.h"
#include "../../lib/tree.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int netfw_net(struct tree *t, const struct fsrc *src, int argc, char **argv);

static int opt_port(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--port"))
			return atoi(argv[i + 1]);
	return 0;
}

static const char *opt_root(int argc, char **argv)
{
	for (int i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--root"))
			return argv[i + 1];
	return NULL;
}

static void print_result(const char *what, const struct fw_result *r)
{
	printf("%s: %s%s\n", what, fw_verdict_name(r->v), r->rejected ? " (rejected)" : "");
	printf("%s-why: %s\n", what, r->why);
	if (r->at.file[0])
		printf("%s-at: %s:%d\n", what, r->at.file, r->at.line);
}

static int one_file(int nft, const char *file, int port)
{
	struct tree *t;
	struct fsrc src;
	struct fw_set s = { 0 };
	if (tree_open_dir("/", 0, &t))
		return 3;
	fsrc_tree(&src, t);
	char abs[4096];
	if (!realpath(file, abs))
		return 3;
	int r = nft ? fwnft_load(&src, abs, port, &s) : fwipt_load(&src, abs, port, "iptables", &s);
	if (r) {
		fprintf(stderr, "netfw: %s\n", rc_msg());
		tree_close(t);
		return 3;
	}
	struct fw_result res;
	fw_evaluate(&s, &res);
	print_result("verdict", &res);
	fw_set_free(&s);
	tree_close(t);
	return 0;
}

/* sshd's first port, and where it is set. */
static int sshd_port(struct tree *t, char *from, size_t fsz)
{
	struct sshd_conf c;
	int ports[SSHD_MAX_PORTS];
	char fr[SSHD_MAX_PORTS][300];
	sshd_scan(t, &c);
	int n = sshd_ports(&c, ports, fr, SSHD_MAX_PORTS);
	if (n < 1)
		return 22;
	snprintf(from, fsz, "%s", fr[0]);
	return ports[0];
}

static int fw(struct tree *t, const struct fsrc *src, int port, const char *from)
{
	struct fwboot b;
	fwboot_scan(src, port, &b);
	printf("port: %d (%s)\n", port, from);
	printf("init: %s\n", svc_init_name(b.init));
	for (int k = 0; k < FWB_N; k++) {
		const struct fwb_fw *f = &b.fw[k];
		printf("%s: %s%s%s\n", f->name, f->loaded ? "loaded at boot" : f->configured ? "not loaded: " : "absent",
		       f->loaded ? "" : f->why_not, "");
		if (f->loaded) {
			char w[64];
			snprintf(w, sizeof(w), "%s-verdict", f->name);
			print_result(w, &f->res);
		}
	}
	print_result("verdict", &b.all);
	struct nf_findings fs = { 0 };
	fwboot_findings(&b, from, &fs);
	for (int i = 0; i < fs.n; i++)
		printf("finding: %s %s:%d: %s\n", fs.f[i].id, fs.f[i].file, fs.f[i].line, fs.f[i].what);
	int rc = fs.n ? 1 : 0;
	nf_findings_free(&fs);
	(void)t;
	return rc;
}

static int fix(const struct fsrc *src, int port, const char *how, const char *name, const char *root, int apply)
{
	struct fwboot b;
	struct nf_plan p = { 0 };
	fwboot_scan(src, port, &b);
	int k = 0;
	while (k < FWB_N && strcmp(b.fw[k].name, name))
		k++;
	if (k == FWB_N)
		return 2;
	int r = !strcmp(how, "accept") ? fwboot_plan_accept(src, &b, (enum fwb_kind)k, "2026-11-29", &p) :
		fwboot_plan_disable(src, &b, (enum fwb_kind)k, &p);
	if (r) {
		printf("refused: %s\n", rc_msg());
		return 3;
	}
	for (int i = 0; i < p.n; i++)
		printf("step: %s: %s\n", p.e[i].path, p.e[i].what);
	struct fw_result after;
	fwboot_after(src, &p, port, &after);
	print_result("after", &after);
	if (apply && nfplan_apply_dir(&p, root)) {
		printf("apply failed: %s\n", rc_msg());
		r = 3;
	}
	nfplan_free(&p);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int port = opt_port(argc, argv);
	if (!strcmp(argv[1], "nft") || !strcmp(argv[1], "ipt"))
		return one_file(argv[1][0] == 'n', argv[2], port ? port : 22);
	const char *root = opt_root(argc, argv);
	struct tree *t;
	struct fsrc src;
	if (!root || tree_open_dir(root, 0, &t)) {
		fprintf(stderr, "netfw: %s\n", root ? rc_msg() : "--root DIR");
		return root ? 3 : 2;
	}
	fsrc_tree(&src, t);
	char from[300] = "--port";
	if (!port)
		port = sshd_port(t, from, sizeof(from));
	int rc = 2;
	if (!strcmp(argv[1], "fw"))
		rc = fw(t, &src, port, from);
	else if (!strcmp(argv[1], "fix") && argc >= 6)
		rc = fix(&src, port, argv[4], argv[5], root, argc > 6 && !strcmp(argv[6], "--apply"));
	else if (!strcmp(argv[1], "net"))
		rc = netfw_net(t, &src, argc, argv);
	tree_close(t);
	return rc;
}
