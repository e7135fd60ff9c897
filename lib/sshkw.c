/* sshd_config keywords and what sshd -t rejects: see sshkw.h. */
#include "sshkw.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* T: 'f' yes/no, 'e' one of VALS, 'p' port, 'i' number, 'a' anything,
 * 'd' deprecated or unsupported (sshd warns, goes on). M: allowed in Match. */
struct kw {
	const char *name;
	char t;
	char m;
	const char *vals;
};

#define F(n, m) { n, 'f', m, NULL }
#define A(n, m) { n, 'a', m, NULL }
#define I(n, m) { n, 'i', m, NULL }
#define D(n) { n, 'd', 1, NULL }
#define E(n, m, v) { n, 'e', m, v }
static const struct kw kws[] = {
	F("usepam", 0), D("pamauthenticationviakbdint"), { "port", 'p', 0, NULL }, A("hostkey", 0), A("hostdsakey", 0),
	A("hostkeyagent", 0), A("pidfile", 0), A("modulifile", 0), D("serverkeybits"), A("logingracetime", 0),
	D("keyregenerationinterval"),
	E("permitrootlogin", 1, " without-password prohibit-password forced-commands-only yes no "),
	E("syslogfacility", 0, " daemon user auth authpriv local0 local1 local2 local3 local4 local5 local6 local7 "),
	E("loglevel", 1, " quiet fatal error info verbose debug debug1 debug2 debug3 silent "), A("logverbose", 1),
	D("rhostsauthentication"), D("rhostsrsaauthentication"), F("hostbasedauthentication", 1),
	F("hostbasedusesnamefrompacketonly", 1), A("hostbasedacceptedalgorithms", 1), A("hostbasedacceptedkeytypes", 1),
	A("hostkeyalgorithms", 0), D("rsaauthentication"), F("pubkeyauthentication", 1), A("pubkeyacceptedalgorithms", 1),
	A("pubkeyacceptedkeytypes", 1), A("pubkeyauthoptions", 1), F("dsaauthentication", 0),
	F("kerberosauthentication", 1), F("kerberosorlocalpasswd", 0), F("kerberosticketcleanup", 0),
	F("kerberosgetafstoken", 0), D("kerberostgtpassing"), D("afstokenpassing"), F("kerberosuniqueccache", 0),
	F("kerberosusekuserok", 1), F("gssapiauthentication", 1), F("gssapicleanupcredentials", 0),
	F("gssapicleanupcreds", 0), F("gssapistrictacceptorcheck", 0), F("gssapikeyexchange", 0),
	F("gssapistorecredentialsonrekey", 0), A("gssapikexalgorithms", 0), D("gssusesessionccache"),
	D("gssapiusesessioncredcache"), F("gssapienablek5users", 1), A("gssapiindicators", 1),
	F("passwordauthentication", 1), F("kbdinteractiveauthentication", 1), F("challengeresponseauthentication", 1),
	F("skeyauthentication", 1), D("checkmail"), A("listenaddress", 0),
	E("addressfamily", 0, " inet inet6 any "), F("printmotd", 0), F("printlastlog", 0),
	E("ignorerhosts", 1, " yes no shosts-only "), F("ignoreuserknownhosts", 0), F("x11forwarding", 1),
	I("x11displayoffset", 1), F("x11uselocalhost", 1), A("xauthlocation", 0), F("strictmodes", 0),
	F("permitemptypasswords", 1), A("permituserenvironment", 0), D("uselogin"),
	E("compression", 0, " yes delayed no "), A("rekeylimit", 1), F("tcpkeepalive", 0), F("keepalive", 0),
	E("allowtcpforwarding", 1, " yes all no remote local "), F("allowagentforwarding", 1), A("allowusers", 1),
	A("denyusers", 1), A("allowgroups", 1), A("denygroups", 1), A("ciphers", 0), A("macs", 0), A("protocol", 0),
	E("gatewayports", 1, " clientspecified yes no "), A("subsystem", 0), A("maxstartups", 0),
	A("persourcemaxstartups", 0), A("persourcenetblocksize", 0), I("maxauthtries", 1), I("maxsessions", 1),
	A("banner", 1), F("usedns", 0), D("verifyreversemapping"), D("reversemappingcheck"),
	A("clientaliveinterval", 1), I("clientalivecountmax", 1), A("authorizedkeysfile", 1), D("authorizedkeysfile2"),
	D("useprivilegeseparation"), A("acceptenv", 1), A("setenv", 1),
	E("permittunnel", 1, " yes point-to-point ethernet no "), F("permittty", 1), F("permituserrc", 1),
	{ "match", 'm', 1, NULL }, A("permitopen", 1), A("permitlisten", 1), A("forcecommand", 1),
	A("chrootdirectory", 1), A("hostcertificate", 0), A("revokedkeys", 1), A("trustedusercakeys", 1),
	A("authorizedprincipalsfile", 1), A("kexalgorithms", 0), A("include", 1), A("ipqos", 1),
	A("authorizedkeyscommand", 1), A("authorizedkeyscommanduser", 1), A("authorizedprincipalscommand", 1),
	A("authorizedprincipalscommanduser", 1), A("versionaddendum", 0), A("authenticationmethods", 1),
	A("streamlocalbindmask", 1), F("streamlocalbindunlink", 1),
	E("allowstreamlocalforwarding", 1, " yes all no remote local "),
	E("fingerprinthash", 0, " md5 sha256 "), F("disableforwarding", 1), F("exposeauthinfo", 1), A("rdomain", 1),
	A("casignaturealgorithms", 1), A("securitykeyprovider", 0), I("requiredrsasize", 1), A("channeltimeout", 1),
	A("unusedconnectiontimeout", 1), A("persourcepenalties", 0), A("persourcepenaltyexemptlist", 0),
	A("sshdsessionpath", 0), A("sshdauthpath", 0), F("refuseconnection", 1), A("pamservicename", 1),
	A("debianbanner", 0), D("permitblacklistedkeys"),
};

static const char *const criteria[] = {
	"all", "user", "group", "host", "address", "localaddress", "localport", "rdomain", "invalid-user",
	"version", "sessiontype", "command", "canonical", "final", NULL,
};

static const struct kw *find(const char *kw)
{
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (!strcasecmp(kws[i].name, kw))
			return &kws[i];
	return NULL;
}

int sshkw_is(const char *kw, const char *name)
{
	return !strcasecmp(kw, name);
}

/* A Match line: criteria and their arguments ("Match User a Address b", "Match all"). */
static int check_match(char *const *av, int ac, char *why, size_t wsz)
{
	if (ac < 1) {
		snprintf(why, wsz, "Match without a criterion");
		return 1;
	}
	for (int i = 0; i < ac; i++) {
		const char *a = av[i], *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		int known = 0;
		for (const char *const *c = criteria; *c && !known; c++)
			known = strlen(*c) == n && !strncasecmp(*c, a, n);
		if (!known) {
			snprintf(why, wsz, "Unsupported Match attribute %s", a);
			return 1;
		}
		int single = (n == 3 && !strncasecmp(a, "all", 3)) || (n == 12 && !strncasecmp(a, "invalid-user", 12)) ||
			     (n == 5 && !strncasecmp(a, "final", 5)) || (n == 9 && !strncasecmp(a, "canonical", 9));
		if (!single && !eq && ++i >= ac) {
			snprintf(why, wsz, "Match %s without an argument", a);
			return 1;
		}
	}
	return 0;
}

static int value_ok(const struct kw *k, const char *v, char *why, size_t wsz)
{
	char w[80];
	if (k->t == 'f' && (!strcasecmp(v, "yes") || !strcasecmp(v, "no")))
		return 1;
	if (k->t == 'e' && strlen(v) < 60) {
		snprintf(w, sizeof(w), " %s ", v);
		for (char *p = w; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (strstr(k->vals, w))
			return 1;
	}
	if (k->t == 'p' || k->t == 'i') {
		char *end;
		long n = strtol(v, &end, 10);
		if (*v && !*end && n >= (k->t == 'p') && (k->t == 'i' || n <= 65535))
			return 1;
		/* a port may be a service name ("ssh"): sshd looks it up in /etc/services */
		if (k->t == 'p' && *end && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == strlen(v))
			return 1;
	}
	if (k->t == 'a' || k->t == 'd' || k->t == 'm')
		return 1;
	snprintf(why, wsz, "%s: unsupported option \"%s\"%s%s", k->name, v, k->t == 'e' ? "; one of:" : k->t == 'f' ?
		 "; yes or no" : "", k->t == 'e' ? k->vals : "");
	return 0;
}

int sshkw_check(const char *kw, char *const *av, int ac, int in_match, char *why, size_t wsz)
{
	const struct kw *k = find(kw);
	if (!k) {
		snprintf(why, wsz, "Bad configuration option: %s", kw);
		return 1;
	}
	if (ac < 0) {
		snprintf(why, wsz, "%s: invalid quotes", kw);
		return 1;
	}
	if (k->t == 'm')
		return check_match(av, ac, why, wsz);
	if (ac == 0) {
		snprintf(why, wsz, "%s: missing argument", kw);
		return 1;
	}
	if (in_match && !k->m) {
		snprintf(why, wsz, "Directive '%s' is not allowed within a Match block", kw);
		return 1;
	}
	return !value_ok(k, av[0], why, wsz);
}
