/* params: the string the kernel's parser (lib/cmdline.c next_arg) receives. */
#include "unit.h"

#include "../../libmini/params.h"

static char buf[4096];

static const char *build(const char *const *words)
{
	buf[0] = 0;
	for (; *words; words++)
		if (params_append(buf, sizeof(buf), *words))
			return 0;
	return buf;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, 0})

int main(void)
{
	static char big[PARAMS_VALUE_MAX + 16];

	CASE("params: words are joined with one space")
		CHECK_STR(build(WORDS("a=1", "b=two")), "a=1 b=two");
	CASE("params: a bare name passes as a bool")
		CHECK_STR(build(WORDS("flag", "x=1")), "flag x=1");
	CASE("params: a value with a space is quoted")
		CHECK_STR(build(WORDS("s=hello world")), "s=\"hello world\"");
	CASE("params: a value with a tab or newline is quoted")
		CHECK_STR(build(WORDS("s=a\tb", "t=c\nd")), "s=\"a\tb\" t=\"c\nd\"");
	CASE("params: a value the user quoted whole is kept")
		CHECK_STR(build(WORDS("s=\"hello world\"")), "s=\"hello world\"");
	CASE("params: an array passes as name=1,2,3")
		CHECK_STR(build(WORDS("arr=1,2,3")), "arr=1,2,3");
	CASE("params: an empty value stays name=")
		CHECK_STR(build(WORDS("s=")), "s=");
	CASE("params: '=' inside the value is kept")
		CHECK_STR(build(WORDS("s=a=b")), "s=a=b");
	CASE("params: an empty name is refused")
		CHECK(build(WORDS("=1")) == 0);
	CASE("params: a quote inside a value is refused") {
		buf[0] = 0;
		CHECK(params_append(buf, sizeof(buf), "s=a\"b") != 0);
		CHECK(params_append(buf, sizeof(buf), "s=\"a\"b\"") != 0);
		CHECK(params_append(buf, sizeof(buf), "s=\"ab") != 0);
		CHECK_STR(buf, "");
	}
	CASE("params: white space or a quote in a name is refused") {
		buf[0] = 0;
		CHECK(params_append(buf, sizeof(buf), "a b=1") != 0);
		CHECK(params_append(buf, sizeof(buf), "a\"b=1") != 0);
		CHECK(params_append(buf, sizeof(buf), "a b") != 0);
	}
	CASE("params: a refused word leaves the string unchanged") {
		strcpy(buf, "a=1");
		CHECK(params_append(buf, sizeof(buf), "=x") != 0);
		CHECK_STR(buf, "a=1");
	}
	CASE("params: a value up to 1024 bytes passes, a longer one is refused") {
		memset(big, 'x', sizeof(big) - 1);
		memcpy(big, "s=", 2);
		big[2 + PARAMS_VALUE_MAX] = 0;
		buf[0] = 0;
		CHECK(params_append(buf, sizeof(buf), big) == 0);
		big[2 + PARAMS_VALUE_MAX] = 'x';
		big[3 + PARAMS_VALUE_MAX] = 0;
		buf[0] = 0;
		CHECK(params_append(buf, sizeof(buf), big) != 0);
	}
	CASE("params: a word that does not fit is refused, the string unchanged") {
		char small[12] = "a=1";
		CHECK(params_append(small, sizeof(small), "s=a b") == 0); /* a=1 s="a b" */
		CHECK_STR(small, "a=1 s=\"a b\"");
		CHECK(params_append(small, sizeof(small), "x") != 0);
		CHECK_STR(small, "a=1 s=\"a b\"");
	}
	CASE("params: params_build names the word it refused") {
		char *words[] = {"a=1", "b=x\"y", "c", 0}, **bad;
		CHECK(params_build(buf, sizeof(buf), words, &bad) != 0);
		CHECK(bad == &words[1]);
		char *good[] = {"a=1", "c", 0};
		CHECK(params_build(buf, sizeof(buf), good, &bad) == 0);
		CHECK_STR(buf, "a=1 c");
	}
	return unit_failed;
}
