#include "applets.h"

const char reset_pass_help[] = "";

int reset_pass_main(int argc, char **argv)
{
	struct cli c;
	int done;
	int rc = cli_parse(&c, applet_find("reset-pass"), argc, argv, NULL, NULL, NULL, 0, -1, &done);
	if (done)
		return rc;
	return cli_finish(&c, cli_error(&c, RC_EXIT_FAIL, "not implemented yet"));
}
