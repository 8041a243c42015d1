/* cli: the commands of the articled binary other than serving. */
#ifndef ARTICLED_CLI_H
#define ARTICLED_CLI_H

#include "config/config.h"

/* `articled annotate [FILE...]`: for each file (`-` or none: standard input)
 * prints one line {"file": ..., "article": ..., "annotations": ...}, the same
 * JSON as POST /v1/annotate, or {"file": ..., "error": {"field", "message"}}
 * for a file it cannot read or parse (also said on stderr). *.json files are
 * article documents, anything else the plain format. Returns the exit code:
 * 0 when every file was annotated, 1 otherwise. */
int cli_annotate(const struct config *cfg, int nfiles, char **files);

#endif
