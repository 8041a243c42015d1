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

/* `articled extract FILE.html [--url URL]` (`-`: standard input): finds the
 * article in an HTML page (models/extract.h) and prints one line
 * {"file": ..., "article": ...}, the article as GET /v1/articles/{id} serves it,
 * annotations included; or {"file": ..., "error": ...}. Returns the exit code. */
int cli_extract(const struct config *cfg, int argc, char **argv);

/* `articled export DIR`: loads the content directory and writes the bytes the
 * server would send, as files an ordinary web server can serve: the response
 * to GET /PATH is in DIR/PATH.json (for each article v1/articles/ID.json,
 * v1/articles/ID/entities.json and .../quotes.json; v1/articles.json for the
 * first list page), with `.gz` forms beside the ones over 1 KiB. Used to benchmark articled against nginx serving identical bytes.
 * Returns the exit code. */
int cli_export(const struct config *cfg, const char *dir);

#endif
