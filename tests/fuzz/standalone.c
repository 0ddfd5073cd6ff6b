/* SPDX-License-Identifier: ISC */
/*
 * standalone.c: a main() that feeds each file of a corpus (folders are
 * walked) to LLVMFuzzerTestOneInput, so the gcc + ASan build replays the
 * whole fuzz corpus on every CI run (SQLite's fuzzcheck.c).
 */
#include "common/compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nfiles;

static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *data;
	long n;

	if (!(f = fopen(path, "rb"))) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(n > 0 ? (size_t)n : 1);
	if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	free(data);
	nfiles++;
	return 0;
}

static int
run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	char sub[4096];
	int n, rc = 0;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((n = scandir(path, &ents, NULL, alphasort)) == -1) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path,
			    ents[i]->d_name);
			if (run_path(sub) == -1)
				rc = -1;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]) == -1)
			rc = 1;
	printf("replayed %d inputs\n", nfiles);
	if (nfiles == 0) {
		fprintf(stderr, "no corpus inputs found\n");
		return 1;
	}
	return rc;
}
