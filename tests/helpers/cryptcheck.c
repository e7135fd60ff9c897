/* cryptcheck SHADOW USER: read a password (one line) from stdin and check
 * it against USER's hash in the passwd/shadow file SHADOW with crypt(3).
 * Prints the hash's method prefix ("$y$", "$6$" ...) and exits 0 when the
 * password verifies, 1 when it does not, 2 on a usage or read error.
 * cryptcheck -m PREFIX: print a fresh hash of the password on stdin made
 * with PREFIX ("$6$", "$y$"), for tests of --hashed. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-m")) {
		char pw[1024];
		if (!fgets(pw, sizeof(pw), stdin))
			return 2;
		pw[strcspn(pw, "\n")] = 0;
		char *setting = crypt_gensalt_ra(argv[2], 0, NULL, 0);
		const char *h = setting ? crypt(pw, setting) : NULL;
		if (!h || h[0] == '*')
			return 2;
		puts(h);
		free(setting);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: cryptcheck SHADOW USER < password\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char *line = NULL, *hash = NULL;
	size_t cap = 0, ul = strlen(argv[2]);
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, argv[2], ul) && line[ul] == ':') {
			char *h = line + ul + 1;
			h[strcspn(h, ":\r\n")] = 0;
			hash = strdup(h);
			break;
		}
	}
	fclose(f);
	free(line);
	if (!hash) {
		fprintf(stderr, "cryptcheck: no line for %s in %s\n", argv[2], argv[1]);
		return 2;
	}
	char pw[1024];
	if (!fgets(pw, sizeof(pw), stdin)) {
		fprintf(stderr, "cryptcheck: no password on stdin\n");
		return 2;
	}
	pw[strcspn(pw, "\n")] = 0;
	const char *p2 = hash[0] == '$' ? strchr(hash + 1, '$') : NULL;
	printf("%.*s\n", p2 ? (int)(p2 - hash + 1) : 0, hash);
	struct crypt_data cd;
	memset(&cd, 0, sizeof(cd));
	const char *r = crypt_r(pw, hash, &cd);
	int ok = r && r[0] != '*' && !strcmp(r, hash);
	free(hash);
	return ok ? 0 : 1;
}
