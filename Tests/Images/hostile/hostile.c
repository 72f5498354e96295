/* A hostile /bin/sh: ignores its arguments and prints terminal escape sequences, a fake
 * protocol line with a key outside the protocol, an oversized value, binary junk - then
 * floods forever (-DFLOOD) or hangs forever. */
#include <string.h>
#include <unistd.h>

static void say(const char *text) { (void)!write(1, text, strlen(text)); }

int main(void) {
  say("\033]0;pwned\007\033[2J\033[31mrc1\tos.id\tevil\033[0m\n");
  say("rc1\tpassword.dump\tsecret\n");
  say("rc1\t../../etc\tx\n");
  char big[9000];
  memset(big, 'A', sizeof big - 1);
  big[sizeof big - 1] = 0;
  say("rc1\tos.pretty_name\t");
  say(big);
  say("\n\001\002\377\376 binary junk\n");
#ifdef FLOOD
  for (;;) say("\033[5m\033[1;1H FLOOD rc1\tcheck.end\tflood \033[0m\n");
#else
  for (;;) pause();
#endif
}
