// libpci calls that may reach `access->error`, run under a setjmp guard.
//
// libpci reports fatal problems (an unreadable sysfs file, a malformed pci.ids line)
// through `access->error`, documented as "write error message and quit": by default it
// calls exit(). cpci_guard_install() replaces the handler with one that records the
// message and longjmps back into the guarded call, which then returns an error code.
#ifndef RIGCHECK_CPCI_GUARD_H
#define RIGCHECK_CPCI_GUARD_H

struct pci_access;
struct pci_dev;

/// Routes the access object's error, warning and debug callbacks through the guard.
void cpci_guard_install(struct pci_access *access);

/// The message of the last libpci error trapped on this thread.
const char *cpci_guard_last_error(void);

/// pci_init() + pci_scan_bus(). Returns 0, or -1 with cpci_guard_last_error() set.
int cpci_guarded_init_and_scan(struct pci_access *access);

/// pci_fill_info(). Returns the known fields, or -1 with cpci_guard_last_error() set.
int cpci_guarded_fill_info(struct pci_dev *device, int flags);

/// pci_lookup_name() with up to four id arguments (see PCI_LOOKUP_* for which are used).
/// Returns NULL when the id is unknown or the database could not be read.
const char *cpci_guarded_lookup(struct pci_access *access, char *buffer, int size, int kind,
                                int a, int b, int c, int d);

#endif
