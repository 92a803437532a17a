/* config: modprobe.d, modules.softdep/weakdep and the kernel command line as kmod reads
 * them; kmod's own `modprobe -c` is the oracle where it is installed (kmod 30 on Debian
 * 12: no weakdep, and it keeps '-' in modprobe.blacklist= names, which later kmod fixed). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../libmini/config.h"
#include "../../libmini/util.h"

static char root[64];
static struct config cfg;
static char dumped[65536], errors[8192], path_buf[3][512];

/* root + rel, in one of a few rotating buffers */
static const char *at(const char *rel)
{
	static int i;
	char *p = path_buf[i++ % 3];

	snprintf(p, sizeof(path_buf[0]), "%s/%s", root, rel);
	return p;
}

static void mkdirs(const char *path)
{
	char tmp[512], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

/* Writes rel (under root) with text, making its directories. */
static void put_file(const char *rel, const char *text)
{
	const char *path = at(rel);
	char dir[512], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = 0;
	mkdirs(dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void read_fd(int fd, char *buf, size_t cap)
{
	ssize_t n, len = 0;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
}

/* Loads paths (NULL-terminated; none: the defaults) with moddir and a command line file
 * (NULL: none); the dump lands in dumped, the messages in errors. */
static void load(const char *const *paths, const char *moddir, const char *cmdline)
{
	FILE *err = tmpfile(), *out = tmpfile();
	int saved = dup(2);
	struct outbuf o = {.fd = fileno(out)};

	config_free(&cfg);
	fflush(stderr);
	dup2(fileno(err), 2);
	CHECK(config_load(&cfg, paths, moddir) == 0);
	if (cmdline)
		config_cmdline(&cfg, cmdline);
	dup2(saved, 2);
	close(saved);
	read_fd(fileno(err), errors, sizeof(errors));
	config_dump(&cfg, &o);
	out_flush(&o);
	read_fd(fileno(out), dumped, sizeof(dumped));
	fclose(err);
	fclose(out);
}

#define PATHS(...) ((const char *const[]){__VA_ARGS__, 0})

/* One file in a fresh directory d, loaded alone. */
static void load_text(const char *d, const char *text)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "%s/t.conf", d);
	put_file(rel, text);
	load(PATHS(at(d)), 0, 0);
}

/* A command line from text (written to a file). */
static void load_cmdline(const char *conf, const char *cmdline)
{
	put_file("cmd/d/t.conf", conf);
	put_file("cmd/cmdline", cmdline);
	load(PATHS(at("cmd/d")), 0, at("cmd/cmdline"));
}

/* The words of a softdep or weakdep entry as "P:a P:b O:c W:d". */
static const char *deps(const struct config_entry *e)
{
	static char buf[256];
	struct config_deps d;
	const char *w;
	size_t len, n = 0;
	int mode;

	buf[0] = 0;
	for (config_deps_init(&d, e); (mode = config_deps_next(&d, &w, &len));)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%c:%.*s", n ? " " : "",
			      " POW"[mode], (int)len, w);
	return buf;
}

/* Every value that config_find gives for kind and name, space-separated. */
static const char *find_all(int kind, const char *name)
{
	static char buf[256];
	const struct config_entry *e;
	unsigned pos = 0;
	size_t n = 0;

	buf[0] = 0;
	while ((e = config_find(&cfg, kind, name, &pos)))
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
			      e->val ? e->val : e->key);
	return buf;
}

/* --- the oracle ------------------------------------------------------------------- */

static const char *kmod = "/sbin/modprobe";
static char kmod_out[65536], kmod_err[8192];

/* Runs kmod's modprobe -c through sh; keeps the part before the index dump. */
static int run_kmod(const char *cmd)
{
	char full[2048], *end;
	FILE *p;
	size_t n;

	snprintf(full, sizeof(full), "%s 2>%s", cmd, at("kmod.err"));
	p = popen(full, "r");
	if (!p)
		return -1;
	n = fread(kmod_out, 1, sizeof(kmod_out) - 1, p);
	kmod_out[n] = 0;
	if (pclose(p) != 0)
		return -1;
	end = strstr(kmod_out, "\n# End of configuration files. Dumping indexes now:\n");
	if (!end)
		return -1;
	*end = 0; /* the marker begins with a newline of its own */
	FILE *f = fopen(at("kmod.err"), "r");
	n = f ? fread(kmod_err, 1, sizeof(kmod_err) - 1, f) : 0;
	kmod_err[n] = 0;
	if (f)
		fclose(f);
	return 0;
}

/* Message bodies, without "libkmod: ERROR ../file.c:N fn: " or "modbox: ERROR: ". */
static const char *bodies(const char *in, char *buf, size_t cap)
{
	const char *line = in, *nl, *p;
	size_t n = 0;

	for (buf[0] = 0; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		p = strstr(line, "ERROR");
		if (p && p < nl)
			p = p[5] == ':' ? p + 7 : strstr(p, ": ") + 2;
		else
			p = line;
		n += snprintf(buf + n, cap - n, "%.*s\n", (int)(nl - p), p);
	}
	return buf;
}

/* Replaces every from in s with to (not longer than from). */
static void replace(char *s, const char *from, const char *to)
{
	size_t f = strlen(from), t = strlen(to);

	while ((s = strstr(s, from))) {
		memcpy(s, to, t); /* NOLINT(bugprone-not-null-*): within s */
		memmove(s + t, s + f, strlen(s + f) + 1);
		s += t;
	}
}

static int can_unshare = -1;

/* kmod in a private mount namespace with a made-up /proc/cmdline (and setup mounts). */
static int run_kmod_ns(const char *mounts, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "unshare -m sh -c 'mount --bind %s /proc/cmdline %s && exec %s %s -c'",
		 at("ns/cmdline"), mounts, kmod, args);
	return run_kmod(cmd);
}

static void compare(void)
{
	static char a[8192], b[8192];

	CHECK_STR(dumped, kmod_out);
	CHECK_STR(bodies(errors, a, sizeof(a)), bodies(kmod_err, b, sizeof(b)));
}

static void oracle_dir(const char *d)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s -C %s -c", kmod, at(d));
	load(PATHS(at(d)), 0, "/proc/cmdline");
	if (run_kmod(cmd) == 0)
		compare();
	else
		CHECK(!"kmod ran");
}

static const char directives[] = "alias foo-bar baz-qux\n"
				 "blacklist bl-a extra words\n"
				 "install in-a /bin/echo  hi\tthere\n"
				 "remove rm-a  /bin/true\n"
				 "options   mod-a   a=1\tb=2   \n"
				 "options mod-b  \n"
				 "softdep sd-a pre: x y post: z w\n"
				 "softdep sd-b post: q\n"
				 "softdep sd-c pre: p1 post: q1 pre: p2\n"
				 "softdep sd-d m1 pre: p\n"
				 "softdep sd-e   \t x\n"
				 "softdep sd-f\tpre:\tt1\t\tpost:\n"
				 "\tsoftdep\tsd-g pre:x pre: y\n"
				 "  # comment after blanks\n"
				 "#real comment \\\n"
				 "continued comment\n"
				 "\n"
				 "   \n"
				 "foo bar\n"
				 "include /x\n"
				 "config y\n"
				 "alias only\n"
				 "options onlyname\n"
				 "install\n"
				 "blacklist\n"
				 "alias x[a-b]-c y-[0-9]\n"
				 "alias x[a-b-c z\n"
				 "alias x]-c z\n"
				 "options q[-] z\n"
				 "continued \\\n"
				 "line\n"
				 "alias cont-\\\n"
				 "inued m\n"
				 "options esc a\\b\\\\c\\ d\n"
				 "alias cr m\r\n"
				 "options last no-newline";

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/modbox-config-XXXXXX");
	if (!mkdtemp(root))
		return 1;

	CASE("config: every directive, as modprobe -c prints it")
	{
		load_text("dir1", "alias foo-bar baz-qux\n"
				  "blacklist bl-a extra\n"
				  "install in-a /bin/echo  hi\tthere\n"
				  "remove rm-a  /bin/true\n"
				  "options   mod-a   a=1\tb=2   \n"
				  "softdep sd-a pre: x y post: z\n"
				  "weakdep wd-a w1  w2\n");
		CHECK_STR(dumped, "blacklist bl_a\n"
				  "install in_a /bin/echo  hi\tthere\n"
				  "remove rm_a  /bin/true\n"
				  "alias foo_bar baz_qux\n"
				  "options mod_a   a=1 b=2   \n"
				  "softdep sd_a pre: x ypost: z\n"
				  "weakdep wd_a w1 w2\n");
		CHECK_STR(errors, "");
	}
	CASE("config: options keep what follows the name's one delimiter, tabs as spaces")
	{
		load_text("opt", "options a \t x=1\t\n"
				 "options b  \n"
				 "options c \n");
		CHECK_STR(dumped, "options a   x=1 \n"
				  "options b  \n");
		CHECK(strstr(errors,
			     "t.conf line 3: ignoring bad line starting with 'options'"));
	}
	CASE("config: a backslash joins lines and takes the next byte literally")
	{
		load_text("cont", "alias cont-\\\ninued m\n"
				  "options esc a\\b\\\\c\\ d\n"
				  "install i \\\n   /bin/x\n"
				  "bad \\\nline\n"
				  "also bad\n");
		CHECK_STR(dumped, "install i    /bin/x\n"
				  "alias cont_inued m\n"
				  "options esc ab\\c d\n");
		/* a joined line counts as its last physical line */
		CHECK(strstr(
			errors,
			"cont/t.conf line 7: ignoring bad line starting with 'bad'\n"));
		CHECK(strstr(
			errors,
			"cont/t.conf line 8: ignoring bad line starting with 'also'\n"));
	}
	CASE("config: '#' starts a comment only as a line's first byte")
	{
		load_text("comm", "# comment \\\nstill comment\n"
				  "  # not a comment\n"
				  "\t\n"
				  "alias a b\n");
		CHECK_STR(dumped, "alias a b\n");
		CHECK(strstr(
			errors,
			"comm/t.conf line 3: ignoring bad line starting with '#'\n"));
	}
	CASE("config: bad lines are reported with file and line, the rest still parsed")
	{
		load_text("bad", "foo bar\n"
				 "alias only\n"
				 "alias a b\n"
				 "options onlyname\n"
				 "blacklist\n"
				 "softdep x\n"
				 "weakdep y\n"
				 "blacklist ok\n");
		CHECK_STR(dumped, "blacklist ok\nalias a b\n");
		char want[2048];
		snprintf(
			want, sizeof(want),
			"modbox: ERROR: %s/t.conf line 1: ignoring bad line starting with 'foo'\n"
			"modbox: ERROR: %s/t.conf line 2: ignoring bad line starting with 'alias'\n"
			"modbox: ERROR: %s/t.conf line 4: ignoring bad line starting with "
			"'options'\n"
			"modbox: ERROR: %s/t.conf line 5: ignoring bad line starting with "
			"'blacklist'\n"
			"modbox: ERROR: %s/t.conf line 6: ignoring bad line starting with "
			"'softdep'\n"
			"modbox: ERROR: %s/t.conf line 7: ignoring bad line starting with "
			"'weakdep'\n",
			at("bad"), at("bad"), at("bad"), at("bad"), at("bad"), at("bad"));
		CHECK_STR(errors, want);
	}
	CASE("config: include and config are deprecated, said without a line number")
	{
		load_text("depr", "include /etc/x\nconfig y\n");
		CHECK_STR(dumped, "");
		CHECK(strstr(errors,
			     "depr/t.conf: command include is deprecated and not parsed "
			     "anymore\n"));
		CHECK(strstr(errors,
			     "depr/t.conf: command config is deprecated and not parsed "
			     "anymore\n"));
	}
	CASE("config: names: '-' to '_' outside brackets, unmatched brackets refused")
	{
		load_text("names", "alias x[a-b]-c y-[0-9]-z\n"
				   "alias x[a-b-c z\n"
				   "alias x]-c z\n"
				   "alias ok x]\n"
				   "options q[-]-r z-1\n"
				   "blacklist a-b-c\n");
		CHECK_STR(dumped, "blacklist a_b_c\n"
				  "alias x[a-b]_c y_[0-9]_z\n"
				  "options q[-]_r z-1\n");
		CHECK(strstr(errors,
			     "line 2: ignoring bad line starting with 'alias'\n"));
		CHECK(strstr(errors,
			     "line 3: ignoring bad line starting with 'alias'\n"));
		CHECK(strstr(errors,
			     "line 4: ignoring bad line starting with 'alias'\n"));
	}
	CASE("config: softdep: modules before pre:/post: are dropped; -c prints kmod's ranges")
	{
		load_text("soft", "softdep m m0 pre: p1 p2 post: q1 pre: p3\n"
				  "softdep n\tpre:\tt1\t\tpost:\n"
				  "softdep o   \t x\n"
				  "softdep p pre:x post: y pre:\n");
		CHECK_STR(dumped, "softdep m pre: p1 p2 q1 p3post: q1\n"
				  "softdep n pre: t1\n"
				  "softdep o \n"
				  "softdep p post: y\n");
		unsigned pos = 0;
		const struct config_entry *e =
			config_find(&cfg, CONFIG_SOFTDEP, "m", &pos);
		CHECK(e && !strcmp(deps(e), "P:p1 P:p2 O:q1 P:p3"));
		pos = 0;
		e = config_find(&cfg, CONFIG_SOFTDEP, "o", &pos);
		CHECK(e && !strcmp(deps(e), ""));
	}
	CASE("config: weakdep: every word is a module")
	{
		load_text("weak", "weakdep w pre: x\tpost:  y\n");
		CHECK_STR(dumped, "weakdep w pre: x post: y\n");
		unsigned pos = 0;
		const struct config_entry *e =
			config_find(&cfg, CONFIG_WEAKDEP, "w", &pos);
		CHECK(e && !strcmp(deps(e), "W:pre: W:x W:post: W:y"));
	}
	CASE("config: aliases: every matching pattern, in file order")
	{
		load_text("al", "alias pci:v00008086d* e1000\n"
				"alias snd-card-0 snd-hda\n"
				"alias pci:v* generic\n"
				"alias pci:v00001234d* other\n");
		CHECK_STR(find_all(CONFIG_ALIAS, "pci:v00008086d00001234"),
			  "e1000 generic");
		CHECK_STR(find_all(CONFIG_ALIAS, "snd_card_0"), "snd_hda");
		CHECK_STR(find_all(CONFIG_ALIAS, "nothing"), "");
	}
	CASE("config: options of a module and of its alias, joined in file order")
	{
		load_text("op", "options snd_card_0 index=0\n"
				"options snd-hda model=x\n"
				"options snd_h* never=1\n"
				"options snd_card_0 y=1\n");
		char buf[64] = "";
		CHECK(config_options(&cfg, "snd_hda", "snd_card_0", buf, sizeof(buf)) ==
		      0);
		CHECK_STR(buf, "index=0 model=x y=1");
		strcpy(buf, "argv=1");
		CHECK(config_options(&cfg, "snd_hda", 0, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, "argv=1 model=x");
		char small[12] = "";
		CHECK(config_options(&cfg, "snd_hda", "snd_card_0", small,
				     sizeof(small)) == -E2BIG);
	}
	CASE("config: install/remove: the first matching pattern; exactly on request")
	{
		load_text("ins", "install *-foo first\n"
				 "install bar-foo second\n"
				 "remove bar-foo r1\n"
				 "remove * r2\n");
		unsigned pos = 0;
		const struct config_entry *e =
			config_find(&cfg, CONFIG_INSTALL, "bar_foo", &pos);
		CHECK(e && !strcmp(e->val, "first"));
		pos = 0;
		e = config_find(&cfg, CONFIG_INSTALL | CONFIG_EXACT, "bar_foo", &pos);
		CHECK(e && !strcmp(e->val, "second"));
		pos = 0;
		e = config_find(&cfg, CONFIG_REMOVE, "x", &pos);
		CHECK(e && !strcmp(e->val, "r2"));
		pos = 0;
		CHECK(!config_find(&cfg, CONFIG_INSTALL | CONFIG_EXACT, "x_foo", &pos));
	}
	CASE("config: blacklist compares names exactly")
	{
		load_text("bl", "blacklist ab*\nblacklist snd-pcsp\n");
		CHECK(config_blacklisted(&cfg, "ab*"));
		CHECK(!config_blacklisted(&cfg, "abc"));
		CHECK(config_blacklisted(&cfg, "snd_pcsp"));
	}
	CASE("config: softdep and weakdep: the first matching pattern")
	{
		load_text("sfirst",
			  "softdep a* pre: x\nsoftdep ab pre: y\nweakdep a? w\n");
		CHECK_STR(find_all(CONFIG_SOFTDEP, "ab"), "pre: x pre: y");
		unsigned pos = 0;
		const struct config_entry *e =
			config_find(&cfg, CONFIG_SOFTDEP, "ab", &pos);
		CHECK(e && !strcmp(deps(e), "P:x"));
		CHECK_STR(find_all(CONFIG_WEAKDEP, "ab"), "w");
	}
	CASE("config: five directories: names merged and sorted, the first directory wins")
	{
		put_file("five/etc/10-e.conf", "alias e-only m\n");
		put_file("five/etc/50-dup.conf", "alias dup-etc m\n");
		symlink("/dev/null", at("five/etc/60-mask.conf"));
		put_file("five/run/05-r.conf", "alias run-a m\n");
		put_file("five/run/70-empty.conf", "");
		put_file("five/ull/20-u.conf", "alias ull-b m\n");
		put_file("five/ull/70-empty.conf", "alias emptymasked m\n");
		put_file("five/ulib/15-ul.conf", "alias usrlib-c m\n");
		put_file("five/ulib/50-dup.conf", "alias dup-usrlib m\n");
		put_file("five/lib/15-l.conf", "alias lib-c m\n");
		put_file("five/lib/50-dup.conf", "alias dup-lib m\n");
		put_file("five/lib/60-mask.conf", "alias masked m\n");
		put_file("five/lib/x.cnf", "alias noconf m\n");
		put_file("five/lib/.h.conf", "alias dot m\n");
		put_file("five/lib/y.alias", "alias dotalias m\n");
		put_file("five/lib/Z.conf", "alias upper m\n");
		put_file("five/lib/_u.conf", "alias under m\n");
		put_file("five/lib/dir.conf/inner.conf", "alias inner m\n");
		char d[5][512];
		const char *const five[] = {"etc", "run", "ull", "ulib", "lib"};
		for (int i = 0; i < 5; i++)
			snprintf(d[i], sizeof(d[i]), "%s/five/%s", root, five[i]);
		load(PATHS(d[0], d[1], d[2], d[3], d[4]), 0, 0);
		CHECK_STR(dumped, "alias run_a m\n"
				  "alias e_only m\n"
				  "alias lib_c m\n"
				  "alias usrlib_c m\n"
				  "alias ull_b m\n"
				  "alias dup_etc m\n"
				  "alias upper m\n"
				  "alias under m\n");
		char want[512];
		snprintf(
			want, sizeof(want),
			"modbox: ERROR: Directories inside directories are not supported: "
			"%s/dir.conf\n",
			at("five/lib"));
		CHECK_STR(errors, want);
	}
	CASE("config: missing directories are skipped; a path that is a file is read alone")
	{
		put_file("single/my.txt", "alias single m\n");
		load(PATHS(at("nothere"), at("single/my.txt")), 0, 0);
		CHECK_STR(dumped, "alias single m\n");
		CHECK_STR(errors, "");
	}
	CASE("config: modules.softdep and modules.weakdep sort among the files by name")
	{
		put_file("md/mod/modules.softdep", "softdep ms pre: x\n# c\nbadline\n");
		put_file("md/mod/modules.weakdep", "weakdep mw y\n");
		put_file("md/c/a.conf", "softdep a0 pre: y\n");
		put_file("md/c/z.conf", "softdep z0 pre: y\n");
		put_file("md/c/modules.softdep.conf", "softdep mod0 pre: y\n");
		load(PATHS(at("md/c")), at("md/mod"), 0);
		CHECK_STR(dumped, "softdep a0 pre: y\n"
				  "softdep ms pre: x\n"
				  "softdep mod0 pre: y\n"
				  "softdep z0 pre: y\n"
				  "weakdep mw y\n");
		CHECK(strstr(errors,
			     "md/mod/modules.softdep line 3: ignoring bad line starting "
			     "with 'badline'\n"));
		load(PATHS(at("md/c")), 0, 0);
		CHECK(!strstr(dumped, "ms"));
	}
	CASE("config: a line may end without a newline, or in CRLF (the CR kept)")
	{
		load_text("eol", "alias cr m\r\noptions last no-newline");
		CHECK_STR(dumped, "alias cr m\r\noptions last no-newline\n");
	}
	CASE("config: cmdline: MOD.PARAM[=VALUE] words, quotes as kmod handles them")
	{
		load_cmdline(
			"",
			"a.b=c d-e.f=g \"h.i=j k\" l.m=\"n o\" p.q.r=s t=u.v w.x y.z= "
			"\"aa.bb\"=cc dd.ee=\"ff gg\"hh ii.jj=kk\"ll mm\" \"x y.z=1\"\n");
		CHECK_STR(dumped, "options a b=c\n"
				  "options d_e f=g\n"
				  "options h i=\"j k\"\n"
				  "options l m=\"n o\"\n"
				  "options w x\n"
				  "options y z=\n"
				  "options dd ee=\"ff gg\"hh\n"
				  "options ii jj=kk\"ll mm\"\n");
		CHECK_STR(errors, "");
	}
	CASE("config: cmdline: modprobe.blacklist= adds names; any blank separates words")
	{
		load_cmdline(
			"",
			"modprobe.blacklist=a-b,c,,d[-]e,f]g x-y.z=1 "
			"modprobe.blacklist=q modprobe.foo=1\ttab.x=1 nl.x=2\nafter.nl=3");
		CHECK_STR(dumped, "blacklist a_b\n"
				  "blacklist c\n"
				  "blacklist \n"
				  "blacklist d[-]e\n"
				  "blacklist q\n"
				  "options x_y z=1\n"
				  "options modprobe foo=1\n"
				  "options tab x=1\n"
				  "options nl x=2\n"
				  "options after nl=3\n");
	}
	CASE("config: cmdline: a bad module name is reported and skipped")
	{
		load_cmdline("", "a[b.c=1 a]b.c=2 a-[x-y]-b.c=3");
		CHECK_STR(dumped, "options a_[x-y]_b c=3\n");
		CHECK_STR(
			errors,
			"modbox: ERROR: Ignoring bad option on kernel command line while "
			"parsing module name: 'a[b'\n"
			"modbox: ERROR: Ignoring bad option on kernel command line while "
			"parsing module name: 'a]b'\n");
	}
	CASE("config: cmdline options come after the files' options")
	{
		load_cmdline("options snd-hda model=x\n",
			     "snd-hda.index=1 snd_hda.b=2\n");
		char buf[64] = "";
		CHECK(config_options(&cfg, "snd_hda", 0, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, "model=x index=1 b=2");
	}
	CASE("config: cmdline: a missing file is an error, the config untouched")
	{
		load_cmdline("alias a b\n", "");
		CHECK(config_cmdline(&cfg, at("cmd/none")) < 0);
		CHECK(cfg.n == 1);
	}

	/* --- kmod's modprobe -c on the same files ----------------------------------- */
	if (access(kmod, X_OK) != 0) {
		printf("# %s missing: no oracle\n", kmod);
		goto done;
	}
	CASE("oracle: kmod's modprobe -C DIR -c on every directive and bad line")
	{
		put_file("or1/t.conf", directives);
		oracle_dir("or1");
	}
	CASE("oracle: kmod's modprobe -C DIR -c on many files")
	{
		put_file("or2/b.conf", "alias b m\nblacklist b\n");
		put_file("or2/a.conf", "alias a m\nsoftdep a pre: b\n");
		put_file("or2/a.conf.bak", "alias bak m\n");
		put_file("or2/.hidden.conf", "alias hidden m\n");
		put_file("or2/sub.conf/x.conf", "alias sub m\n");
		put_file("or2/empty.conf", "");
		symlink("/dev/null", at("or2/null.conf"));
		put_file("or2/Z.conf", "options z y=1\n");
		oracle_dir("or2");
	}
	CASE("oracle: kmod's modprobe -C FILE -c")
	{
		put_file("or3/only.txt", "alias only m\ninstall x /bin/true\n");
		oracle_dir("or3/only.txt");
	}
	CASE("oracle: kmod's modprobe -d ROOT -S V -C DIR -c reads modules.softdep")
	{
		char cmd[1024];

		put_file("or4/root/lib/modules/9.9/modules.softdep",
			 "# softdeps\nsoftdep ms pre: x post: y\nbadline\n");
		put_file("or4/c/a.conf", "softdep a0 pre: y\n");
		put_file("or4/c/z.conf", "softdep z0 pre: y\n");
		put_file("or4/c/modules.softdep.conf", "softdep mod0 pre: y\n");
		snprintf(cmd, sizeof(cmd), "%s -d %s -S 9.9 -C %s -c", kmod,
			 at("or4/root"), at("or4/c"));
		load(PATHS(at("or4/c")), at("or4/root/lib/modules/9.9"), "/proc/cmdline");
		CHECK(run_kmod(cmd) == 0);
		compare();
	}
	CASE("oracle: kmod's modprobe -c on this system's configuration")
	{
		struct stat a, b;
		char cmd[256];

		/* kmod 30 reads /lib/modprobe.d but not /usr/lib/modprobe.d: the same here? */
		if (stat("/usr/lib/modprobe.d", &a) == 0 &&
		    (stat("/lib/modprobe.d", &b) != 0 || a.st_ino != b.st_ino)) {
			printf("# /usr/lib/modprobe.d is not /lib/modprobe.d: skipped\n");
			continue;
		}
		snprintf(cmd, sizeof(cmd), "%s -d %s -c", kmod, at("sys"));
		load(0, 0, "/proc/cmdline");
		CHECK(run_kmod(cmd) == 0);
		compare();
	}

	/* a made-up /proc/cmdline needs a mount namespace (root) */
	put_file("ns/cmdline", "");
	put_file("ns/c/t.conf", "options first x=1\n");
	can_unshare = run_kmod_ns("", "-C /dev/null") == 0;
	if (!can_unshare) {
		printf("# no mount namespace: no oracle for the command line\n");
		goto done;
	}
	CASE("oracle: kmod on made-up kernel command lines")
	{
		static const char *const lines[] = {
			"a.b=c d-e.f=g \"h.i=j k\" l.m=\"n o\" p.q.r=s t=u.v w.x y.z= "
			"\"aa.bb\"=cc dd.ee=\"ff gg\"hh ii.jj=kk\"ll mm\" \"x y.z=1\"\n",
			"modprobe.blacklist=ab,c,,d[_]e x-y.z=1 modprobe.blacklist=q "
			"modprobe.foo=1\ttab.x=1 nl.x=2\nafter.nl=3",
			"a[b.c=1 a]b.c=2 a-[x-y]-b.c=3 first.y=\"2\" \"first.z=3\" .x=1 x.=1 "
			"x.y\"z\"=1 \"\" \" \"a\".b=1 q.r=\"s\"\"t\" u.v=\"w\\\"x\"",
			"   \t first.tab=1\t",
			"",
		};
		char cmd[1024];

		snprintf(cmd, sizeof(cmd), "-C %s", at("ns/c"));
		for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
			put_file("ns/cmdline", lines[i]);
			load(PATHS(at("ns/c")), 0, at("ns/cmdline"));
			CHECK(run_kmod_ns("", cmd) == 0);
			compare();
		}
	}
	CASE("oracle: kmod's own four directories against the same files in mine")
	{
		char e[512], r[512], u[512], l[512], mounts[2560];

		put_file("ns/cmdline", "");
		put_file("d4/etc/10-e.conf", "alias e-only m\n");
		put_file("d4/etc/50-dup.conf", "alias dup-etc m\n");
		symlink("/dev/null", at("d4/etc/60-mask.conf"));
		put_file("d4/lib/60-mask.conf", "alias masked m\n");
		put_file("d4/run/70-empty.conf", "");
		put_file("d4/ull/70-empty.conf", "alias emptymasked m\n");
		put_file("d4/run/05-r.conf", "alias run-a m\n");
		put_file("d4/ull/20-u.conf", "alias ull-b m\n");
		put_file("d4/lib/15-l.conf", "alias lib-c m\nbad line\n");
		put_file("d4/lib/50-dup.conf", "alias dup-lib m\n");
		put_file("d4/lib/x.cnf", "alias noconf m\n");
		put_file("d4/lib/_u.conf", "alias under m\n");
		put_file("d4/lib/dir.conf/x.conf", "alias inner m\n");
		snprintf(e, sizeof(e), "%s", at("d4/etc"));
		snprintf(r, sizeof(r), "%s", at("d4/run"));
		snprintf(u, sizeof(u), "%s", at("d4/ull"));
		snprintf(l, sizeof(l), "%s", at("d4/lib"));
		/* Debian's kmod 30 reads /etc, /run, /usr/local/lib and /lib (= /usr/lib) */
		snprintf(
			mounts, sizeof(mounts),
			"&& mount --bind %s /etc/modprobe.d && mount -t tmpfs none /run && "
			"mkdir /run/modprobe.d && mount --bind %s /run/modprobe.d && "
			"mount -t tmpfs none /usr/local/lib && mkdir /usr/local/lib/modprobe.d "
			"&& mount --bind %s /usr/local/lib/modprobe.d && "
			"mount --bind %s /lib/modprobe.d",
			e, r, u, l);
		load(PATHS(e, r, u, l), 0, at("ns/cmdline"));
		CHECK(strstr(dumped, "alias run_a m\nalias e_only m\nalias lib_c m\n"));
		/* kmod names the files by its own directories */
		replace(errors, l, "/lib/modprobe.d");
		CHECK(run_kmod_ns(mounts, "") == 0);
		compare();
	}
done:
	config_free(&cfg);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			return 1;
	}
	return unit_failed;
}
