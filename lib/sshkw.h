/* The keywords sshd_config may hold, and what `sshd -t` says of a line:
 * an unknown keyword ("Bad configuration option"), a keyword that is not
 * allowed inside a Match block, an unknown Match criterion, a value a
 * yes/no or enumerated keyword does not take, a port that is not one, a
 * missing argument. The table is the union of OpenSSH 7.4 to 10.x and the
 * Debian, Ubuntu, RHEL and Fedora patches (GSSAPI key exchange,
 * DebianBanner ...): a keyword some version accepts is never reported, so
 * what is reported is rejected by every sshd. Deprecated and unsupported
 * keywords, which sshd only warns about, pass. Pure; nothing here prints. */
#ifndef RC_SSHKW_H
#define RC_SSHKW_H
#include <stddef.h>

/* Would sshd -t reject this line? KW as written, AV/AC its arguments (AC -1:
 * an open quote; 0: none), IN_MATCH: inside a Match block. 0 fine; 1
 * rejected, with WHY ("Bad configuration option: FooBar"). */
int sshkw_check(const char *kw, char *const *av, int ac, int in_match, char *why, size_t wsz);
/* Is KW (any case) this keyword? For callers that collect settings. */
int sshkw_is(const char *kw, const char *name);

#endif
