#include "cpci_guard.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static __thread jmp_buf *active_guard;
static __thread char last_error[512];

__attribute__((noreturn)) static void trap_error(char *message, ...) {
  va_list args;
  va_start(args, message);
  vsnprintf(last_error, sizeof last_error, message, args);
  va_end(args);
  if (active_guard) longjmp(*active_guard, 1);
  abort(); /* an unguarded libpci call: never silently exit() */
}

static void ignore_message(char *message, ...) { (void)message; }

void cpci_guard_install(struct pci_access *access) {
  access->error = trap_error;
  access->warning = ignore_message;
  access->debug = ignore_message;
}

const char *cpci_guard_last_error(void) { return last_error; }

#define GUARDED(failure_value, body)            \
  jmp_buf guard;                                \
  jmp_buf *previous = active_guard;             \
  active_guard = &guard;                        \
  if (setjmp(guard)) {                          \
    active_guard = previous;                    \
    return failure_value;                       \
  }                                             \
  body;                                         \
  active_guard = previous;

int cpci_guarded_init_and_scan(struct pci_access *access) {
  GUARDED(-1, { pci_init(access); pci_scan_bus(access); })
  return 0;
}

int cpci_guarded_fill_info(struct pci_dev *device, int flags) {
  int known = 0;
  GUARDED(-1, { known = pci_fill_info(device, flags); })
  return known;
}

const char *cpci_guarded_lookup(struct pci_access *access, char *buffer, int size, int kind,
                                int a, int b, int c, int d) {
  const char *name = NULL;
  GUARDED(NULL, { name = pci_lookup_name(access, buffer, size, kind | PCI_LOOKUP_NO_NUMBERS, a, b, c, d); })
  return name;
}
