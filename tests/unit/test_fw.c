/* Unit tests for the firewall analysis: fweval (forks, jumps, limits),
 * fwnft (commands, sets, maps, defines, includes and their limits), fwipt
 * (iptables-save, -n semantics), xmltag, svcboot, nfplan (edits, overlay). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../lib/err.h"
#include "../../lib/fwipt.h"
#include "../../lib/fwnft.h"
#include "../../lib/nfplan.h"
#include "../../lib/svcboot.h"
#include "../../lib/xmltag.h"

static enum fw_verdict nft(const char *text, int port, struct fw_result *res)
{
	struct fw_set s;
	assert_int_equal(fwnft_parse(NULL, "/t.nft", text, strlen(text), port, &s), 0);
	fw_evaluate(&s, res);
	fw_set_free(&s);
	return res->v;
}

#define CHAIN(body) "table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n" body "\n }\n}\n"

static void test_nft_basic(void **st)
{
	(void)st;
	struct fw_result r;
	assert_int_equal(nft(CHAIN("  tcp dport 22 accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(r.at.line, 4);
	assert_int_equal(nft(CHAIN("  tcp dport 22 accept"), 2222, &r), FW_DROPPED);
	assert_string_equal(r.why, "chain input, policy drop; no accept rule matches");
	assert_int_equal(r.at.line, 3);
	assert_int_equal(nft(CHAIN("  udp dport 22 accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  tcp dport != 22 accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  tcp dport 20-30 accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(CHAIN("  tcp dport < 1024 accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(CHAIN("  ct state established,related accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  ct state new tcp dport ssh accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(CHAIN("  iif lo accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  iifname != \"lo\" accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(CHAIN("  ip6 saddr fe80::/10 accept\n  meta nfproto ipv6 accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  tcp flags & (syn|ack) == syn accept"), 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(CHAIN("  tcp flags & (fin|syn|rst|ack) != syn accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  limit rate over 1/second accept"), 22, &r), FW_DROPPED);
	assert_int_equal(nft(CHAIN("  counter log prefix \"x\" level info accept"), 22, &r), FW_ACCEPTED);
}

static void test_nft_uncertain(void **st)
{
	(void)st;
	struct fw_result r;
	assert_int_equal(nft(CHAIN("  ip saddr 10.0.0.0/8 accept"), 22, &r), FW_UNCERTAIN);
	assert_non_null(strstr(r.why, "the source address"));
	assert_int_equal(r.at.line, 4);
	/* a maybe that makes no difference is no uncertainty */
	assert_int_equal(nft(CHAIN("  ip saddr 10.0.0.0/8 accept\n  accept"), 22, &r), FW_ACCEPTED);
	assert_string_equal(r.at.text, "accept");
	assert_int_equal(nft(CHAIN("  iifname \"eth0\" tcp dport 22 accept"), 22, &r), FW_UNCERTAIN);
	assert_non_null(strstr(r.why, "interface"));
	assert_int_equal(nft(CHAIN("  socket transparent 1 accept"), 22, &r), FW_UNCERTAIN);
	assert_int_equal(nft(CHAIN("  tcp dport 22 queue"), 22, &r), FW_UNCERTAIN);
	assert_int_equal(nft("define A = 1\ntable ip t {\n chain c {\n  type filter hook input priority 0; policy drop;\n"
			     "  tcp dport $B accept\n }\n}\n", 22, &r), FW_UNCERTAIN);
	assert_non_null(strstr(r.why, "$B is not defined"));
	assert_int_equal(nft("include \"/etc/x.nft\"\n", 22, &r), FW_UNCERTAIN);
	assert_int_equal(nft("table ip t {\n chain c {\n  type filter hook input priority 0;\n }\n}\n"
			     "delete rule ip t c handle 4\n", 22, &r), FW_UNCERTAIN);
}

static void test_nft_structure(void **st)
{
	(void)st;
	struct fw_result r;
	const char *maps = "table inet f {\n map m { type inet_service : verdict; elements = { 22 : jump ssh, 80 : drop } }\n"
			   " chain ssh { ip saddr 192.0.2.1 drop\n return }\n"
			   " chain input { type filter hook input priority 0; policy drop;\n"
			   "  tcp dport vmap @m\n  tcp dport 22 accept\n }\n}\n";
	assert_int_equal(nft(maps, 22, &r), FW_UNCERTAIN);   /* 192.0.2.1 is dropped, others accepted */
	assert_int_equal(nft(maps, 80, &r), FW_DROPPED);
	const char *sets = "define P = { 2222, 22 }\nadd table inet f\nadd set inet f s { type inet_service; }\n"
			   "add element inet f s { 22 }\n"
			   "add chain inet f input { type filter hook input priority 0; policy drop; }\n"
			   "add rule inet f input tcp dport @s accept\n";
	assert_int_equal(nft(sets, 22, &r), FW_ACCEPTED);
	assert_int_equal(nft(sets, 23, &r), FW_DROPPED);
	assert_int_equal(nft("table inet f {\n chain input { type filter hook input priority 0; policy drop; }\n}\n"
			     "flush ruleset\n", 22, &r), FW_NONE);
	assert_int_equal(nft("table netdev n {\n chain i { type filter hook ingress device eth0 priority 0;\n"
			     "  tcp dport 22 drop\n }\n}\n", 22, &r), FW_UNCERTAIN);
	assert_int_equal(nft("table inet a {\n chain i { type filter hook input priority 10; policy accept; tcp dport 22 drop; }\n}\n"
			     "table ip b {\n chain i { type filter hook prerouting priority -300; policy accept; }\n}\n", 22, &r),
			 FW_DROPPED);
	assert_int_equal(nft("table inet a {\n chain i { type filter hook input priority 0; policy accept;\n"
			     "  tcp dport 22 goto g\n  drop\n }\n chain g { return }\n}\n", 22, &r), FW_ACCEPTED);
}

static void test_nft_limits(void **st)
{
	(void)st;
	struct fw_result r;
	char *big = malloc(FSRC_MAX_LINE + 100);
	memset(big, 'a', FSRC_MAX_LINE + 50);
	big[FSRC_MAX_LINE + 50] = 0;
	assert_int_equal(nft(big, 22, &r), FW_UNCERTAIN);
	assert_non_null(strstr(r.why, "longer than"));
	free(big);
	/* an include loop stops at the depth limit */
	char dir[] = "/tmp/rc-fwinc.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p[300];
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/loop.nft", dir);
	FILE *f = fopen(p, "w");
	fputs("include \"/etc/loop.nft\"\n", f);
	fclose(f);
	struct tree *t;
	struct fsrc src;
	struct fw_set s;
	assert_int_equal(tree_open_dir(dir, 0, &t), 0);
	fsrc_tree(&src, t);
	assert_int_equal(fwnft_load(&src, "/etc/loop.nft", 22, &s), 0);
	assert_non_null(strstr(s.uncertain, "nest deeper than"));
	fw_set_free(&s);
	assert_int_equal(fwnft_load(&src, "/etc/none.nft", 22, &s), -ENOENT);
	tree_close(t);
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc", dir);
	rmdir(p);
	rmdir(dir);
}

static enum fw_verdict ipt(const char *text, int port, struct fw_result *res)
{
	struct fw_set s = { 0 };
	int r = fwipt_parse("/r.v4", text, strlen(text), port, "iptables", &s);
	if (r) {
		fw_set_free(&s);
		return (enum fw_verdict)-1;
	}
	fw_evaluate(&s, res);
	fw_set_free(&s);
	return res->v;
}

static void test_ipt(void **st)
{
	(void)st;
	struct fw_result r;
	assert_int_equal(ipt("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n", 22, &r),
			 FW_ACCEPTED);
	assert_int_equal(ipt("*filter\n:INPUT DROP [0:0]\n-A INPUT -p udp --dport 22 -j ACCEPT\nCOMMIT\n", 22, &r),
			 FW_DROPPED);
	assert_int_equal(r.at.line, 2);
	assert_int_equal(ipt("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! -s 10.0.0.0/8 -j DROP\nCOMMIT\n", 22, &r),
			 FW_UNCERTAIN);
	assert_int_equal(ipt("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m multiport --dports 80,1000:2000 -j ACCEPT\n"
			     "COMMIT\n", 1500, &r), FW_ACCEPTED);
	assert_int_equal(ipt("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m weird --thing 1 -j DROP\nCOMMIT\n", 22, &r),
			 FW_UNCERTAIN);
	assert_non_null(strstr(r.why, "--thing"));
	/* what iptables-restore refuses is an error, not a verdict */
	assert_int_equal((int)ipt("*filter\n:INPUT DROP [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n", 22, &r), -1);
	assert_int_equal((int)ipt("*filter\n:INPUT DROP [0:0]\n", 22, &r), -1);
	assert_int_equal((int)ipt("-A INPUT -j ACCEPT\n", 22, &r), -1);
	/* -n: a user chain declared again is emptied, a builtin keeps its rules */
	struct fw_set s = { 0 };
	const char *a = "*filter\n:INPUT DROP [0:0]\n:U - [0:0]\n-A INPUT -j U\n-A U -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
	const char *b = "*filter\n:U - [0:0]\n-A U -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
	assert_int_equal(fwipt_parse("a", a, strlen(a), 22, "i", &s), 0);
	assert_int_equal(fwipt_parse("b", b, strlen(b), 22, "i", &s), 0);
	fw_evaluate(&s, &r);
	assert_int_equal(r.v, FW_DROPPED);
	fw_set_free(&s);
	assert_int_equal(fwipt_accept_line(a, strlen(a)), 4);
}

static void test_xmltag(void **st)
{
	(void)st;
	const char *x = "<?xml version=\"1.0\"?>\n<!-- a <comment> -->\n<zone target='DROP'>\n"
			"  <service name=\"a&amp;b\"/>\n</zone>\n";
	size_t pos = 0;
	int line = 1;
	struct xtag t;
	assert_int_equal(xt_next(x, &pos, &line, &t), 1);
	assert_string_equal(t.name, "zone");
	assert_string_equal(xt_attr(&t, "target"), "DROP");
	assert_int_equal(t.line, 3);
	assert_int_equal(xt_next(x, &pos, &line, &t), 1);
	assert_true(t.empty);
	assert_string_equal(xt_attr(&t, "name"), "a&b");
	assert_int_equal(t.line, 4);
	assert_int_equal(xt_next(x, &pos, &line, &t), 1);
	assert_true(t.close);
	assert_int_equal(xt_next(x, &pos, &line, &t), 0);
	pos = 0;
	assert_int_equal(xt_next("<a b=\"x", &pos, &line, &t), -1);
	pos = 0;
	assert_int_equal(xt_next("<!-- never closed", &pos, &line, &t), -1);
}

static void put(const char *dir, const char *path, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s%s", dir, path);
	char *slash = strrchr(p, '/');
	*slash = 0;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static void test_svcboot_and_plan(void **st)
{
	(void)st;
	char dir[] = "/tmp/rc-svc.XXXXXX", p[512];
	assert_non_null(mkdtemp(dir));
	put(dir, "/lib/systemd/system/nftables.service", "[Service]\nExecStart=/usr/sbin/nft -f /etc/nftables.conf\n");
	put(dir, "/lib/systemd/system/ufw.service", "");
	put(dir, "/lib/systemd/systemd", "");
	put(dir, "/etc/systemd/system/sysinit.target.wants/.keep", "");
	snprintf(p, sizeof(p), "%s/etc/systemd/system/sysinit.target.wants/nftables.service", dir);
	assert_int_equal(symlink("/lib/systemd/system/nftables.service", p), 0);
	snprintf(p, sizeof(p), "%s/etc/systemd/system/ufw.service", dir);
	assert_int_equal(symlink("/dev/null", p), 0);
	struct tree *t;
	struct fsrc src;
	struct svc_state s;
	assert_int_equal(tree_open_dir(dir, 0, &t), 0);
	fsrc_tree(&src, t);
	assert_int_equal(svc_init_system(&src), SVC_INIT_SYSTEMD);
	svc_state(&src, SVC_INIT_SYSTEMD, "nftables", &s);
	assert_true(s.enabled);
	assert_string_equal(s.link, "/etc/systemd/system/sysinit.target.wants/nftables.service");
	svc_state(&src, SVC_INIT_SYSTEMD, "ufw", &s);
	assert_true(s.masked);
	assert_false(s.enabled);
	/* a plan: an edit, a file made, a link removed; the overlay shows them */
	struct nf_plan pl = { 0 };
	struct nf_overlay o;
	struct fsrc view;
	assert_int_equal(nfplan_text(&pl, &src, "/lib/systemd/system/ufw.service", "x\n", 2, "edit"), 0);
	assert_int_equal(nfplan_create(&pl, "/etc/new.conf", "n\n", 2, 0600, "make"), 0);
	assert_int_equal(nfplan_unlink(&pl, "/etc/systemd/system/sysinit.target.wants/nftables.service", "rm"), 0);
	nfplan_overlay(&view, &o, &src, &pl);
	char *buf;
	size_t len;
	assert_int_equal(fsrc_read(&view, "/lib/systemd/system/ufw.service", &buf, &len, 100), 0);
	assert_string_equal(buf, "x\n");
	free(buf);
	assert_true(fsrc_exists(&view, "/etc/new.conf"));
	svc_state(&view, SVC_INIT_SYSTEMD, "nftables", &s);
	assert_false(s.enabled);
	char **names;
	size_t n;
	assert_int_equal(fsrc_list(&view, "/etc", &names, &n), 0);
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		seen |= !strcmp(names[i], "new.conf");
	assert_true(seen);
	tree_free_list(names, n);
	nfplan_free(&pl);
	tree_close(t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
	size_t ol;
	char *ins = nf_insert_line("a\nb\n", 4, 2, "X\n", &ol);
	assert_string_equal(ins, "a\nX\nb\n");
	free(ins);
	ins = nf_insert_line("a", 1, 99, "X\n", &ol);
	assert_string_equal(ins, "a\nX\n");
	free(ins);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft_basic),
		cmocka_unit_test(test_nft_uncertain),
		cmocka_unit_test(test_nft_structure),
		cmocka_unit_test(test_nft_limits),
		cmocka_unit_test(test_ipt),
		cmocka_unit_test(test_xmltag),
		cmocka_unit_test(test_svcboot_and_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
