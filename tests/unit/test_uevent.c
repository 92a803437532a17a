/* uevent: the sysfs walk coldplug starts from, the uevent socket, the set of aliases. */
#include "unit.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../libmini/uevent.h"

static char got[4096];
static int calls;

static int collect(void *ctx, const char *alias)
{
	(void)ctx;
	strcat(got, alias);
	strcat(got, ";");
	calls++;
	return 0;
}

static int stop(void *ctx, const char *alias)
{
	(void)ctx;
	(void)alias;
	return 7;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Whether got holds alias followed by ';'. */
static int has(const char *alias)
{
	char want[256];

	snprintf(want, sizeof(want), "%s;", alias);
	return strstr(got, want) != 0;
}

int main(void)
{
	char top[] = "/tmp/modbox-uevent.XXXXXX", d[512], long_alias[300];
	struct strset set = {0};
	int k, fd;

	if (!mkdtemp(top))
		return 1;
	snprintf(d, sizeof(d), "%s/pci/dev1", top);
	mkdir(top, 0755);
	snprintf(d, sizeof(d), "%s/pci", top);
	mkdir(d, 0755);
	put_file(d, "uevent", "");
	snprintf(d, sizeof(d), "%s/pci/dev1", top);
	mkdir(d, 0755);
	put_file(d, "modalias", "pci:v00008086d000010D3sv*\n");
	put_file(d, "uevent", "DRIVER=x\nMODALIAS=pci:from-uevent\n");
	snprintf(d, sizeof(d), "%s/pci/dev1/usb1", top);
	mkdir(d, 0755);
	put_file(d, "uevent", "DEVTYPE=usb_device\nMODALIAS=usb:v0627p0001\nSEQNUM=3\n");
	snprintf(d, sizeof(d), "%s/pci/dev1/usb1/power", top);
	mkdir(d, 0755);
	put_file(d, "uevent", "DEVTYPE=none\n");
	snprintf(d, sizeof(d), "%s/cpu", top);
	mkdir(d, 0755);
	memset(long_alias, 'f', sizeof(long_alias));
	memcpy(long_alias, "cpu:type:x86,ven0002fam0017mod0071:feature:", 44);
	long_alias[299] = 0;
	put_file(d, "modalias", long_alias);
	snprintf(d, sizeof(d), "%s/pci/link", top);
	{
		char target[512];
		snprintf(target, sizeof(target), "%s/cpu", top);
		CHECK(symlink(target, d) == 0);
	}

	CASE("uevent: the walk finds modalias files, whole, without their newline")
	{
		CHECK(sysfs_modaliases(top, collect, 0) == 0);
		CHECK(has("pci:v00008086d000010D3sv*"));
		CHECK(has(long_alias));
	}
	CASE("uevent: MODALIAS= of a uevent file where no modalias file is")
		CHECK(has("usb:v0627p0001"));
	CASE("uevent: a modalias file wins over its uevent's MODALIAS")
		CHECK(!has("pci:from-uevent"));
	CASE("uevent: symbolic links are not followed, directories without alias give none")
		CHECK(calls == 3);
	CASE("uevent: the callback's non-zero result ends the walk")
		CHECK(sysfs_modaliases(top, stop, 0) == 7);
	CASE("uevent: a missing directory is an error")
		CHECK(sysfs_modaliases("/nonexistent/devices", collect, 0) == -ENOENT);

	CASE("strset: a string is new once")
	{
		CHECK(strset_add(&set, "pci:v1") == 1);
		CHECK(strset_add(&set, "pci:v1") == 0);
		CHECK(strset_add(&set, "pci:v2") == 1);
		CHECK(set.n == 2);
	}
	CASE("strset: thousands of strings, each found again")
	{
		char s[32];
		int fresh = 0, again = 0;

		for (k = 0; k < 5000; k++) {
			snprintf(s, sizeof(s), "alias%d", k);
			fresh += strset_add(&set, s) == 1;
		}
		for (k = 0; k < 5000; k++) {
			snprintf(s, sizeof(s), "alias%d", k);
			again += strset_add(&set, s) == 0;
		}
		CHECK(fresh == 5000 && again == 5000);
	}

	CASE("uevent: the socket opens (or the host refuses it), nothing waits on it")
	{
		const char *alias = "x";
		char buf[8192];

		fd = uevent_open();
		if (fd >= 0) {
			int r = uevent_recv(fd, buf, sizeof(buf), &alias);
			CHECK(r == 0 || r == 1);
			close(fd);
		} else {
			printf("# no uevent socket here: %d\n", fd);
			CHECK(fd == -EPERM || fd == -EACCES || fd == -EPROTONOSUPPORT);
		}
	}

	snprintf(d, sizeof(d), "rm -rf %s", top);
	if (system(d))
		return 1;
	return unit_failed;
}
