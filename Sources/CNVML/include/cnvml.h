// The few NVML (libnvidia-ml.so.1) entry points rigcheck uses, declared here and
// resolved at run time with dlopen/dlsym. Nothing links against the NVIDIA driver:
// on a host without it, cnvml_open() returns an error and the rest of rigcheck works.
//
// Types mirror nvml.h (NVML API version 12): nvmlMemory_t, nvmlPciInfo_t (v3),
// return codes as int, enums as int / unsigned int.
#ifndef RIGCHECK_CNVML_H
#define RIGCHECK_CNVML_H

#include <stddef.h>

typedef int cnvml_return;
typedef struct cnvml_device_opaque *cnvml_device;

/// nvmlMemory_t
typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} cnvml_memory;

/// nvmlPciInfo_t (the layout used by nvmlDeviceGetPciInfo_v3)
typedef struct {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
} cnvml_pci_info;

/// nvmlUtilization_t
typedef struct {
  unsigned int gpu;
  unsigned int memory;
} cnvml_utilization;

/// Function pointers resolved from the library. Optional ones may be NULL
/// (older drivers); required ones are checked by cnvml_open().
typedef struct {
  void *handle;
  cnvml_return (*init_v2)(void);                                          // nvmlInit_v2 (required)
  cnvml_return (*shutdown)(void);                                        // nvmlShutdown (required)
  const char *(*error_string)(cnvml_return);                             // nvmlErrorString (required)
  cnvml_return (*system_get_driver_version)(char *, unsigned int);       // nvmlSystemGetDriverVersion (required)
  cnvml_return (*system_get_cuda_driver_version)(int *);                 // nvmlSystemGetCudaDriverVersion_v2
  cnvml_return (*device_get_count)(unsigned int *);                      // nvmlDeviceGetCount_v2 (required)
  cnvml_return (*device_get_handle_by_index)(unsigned int, cnvml_device *); // nvmlDeviceGetHandleByIndex_v2 (required)
  cnvml_return (*device_get_name)(cnvml_device, char *, unsigned int);   // nvmlDeviceGetName
  cnvml_return (*device_get_brand)(cnvml_device, int *);                 // nvmlDeviceGetBrand
  cnvml_return (*device_get_uuid)(cnvml_device, char *, unsigned int);   // nvmlDeviceGetUUID
  cnvml_return (*device_get_serial)(cnvml_device, char *, unsigned int); // nvmlDeviceGetSerial
  cnvml_return (*device_get_memory_info)(cnvml_device, cnvml_memory *);  // nvmlDeviceGetMemoryInfo
  cnvml_return (*device_get_cuda_compute_capability)(cnvml_device, int *, int *); // nvmlDeviceGetCudaComputeCapability
  cnvml_return (*device_get_persistence_mode)(cnvml_device, int *);      // nvmlDeviceGetPersistenceMode
  cnvml_return (*device_get_mig_mode)(cnvml_device, unsigned int *, unsigned int *); // nvmlDeviceGetMigMode
  cnvml_return (*device_get_pci_info)(cnvml_device, cnvml_pci_info *);   // nvmlDeviceGetPciInfo_v3
  cnvml_return (*device_get_temperature)(cnvml_device, int, unsigned int *); // nvmlDeviceGetTemperature
  cnvml_return (*device_get_total_ecc_errors)(cnvml_device, int, int, unsigned long long *); // nvmlDeviceGetTotalEccErrors
  cnvml_return (*device_get_retired_pages_pending)(cnvml_device, int *);  // nvmlDeviceGetRetiredPagesPendingStatus
  cnvml_return (*device_get_remapped_rows)(cnvml_device, unsigned int *, unsigned int *, unsigned int *, unsigned int *); // nvmlDeviceGetRemappedRows
  cnvml_return (*device_get_utilization_rates)(cnvml_device, cnvml_utilization *); // nvmlDeviceGetUtilizationRates
  cnvml_return (*device_get_curr_pcie_link_generation)(cnvml_device, unsigned int *); // nvmlDeviceGetCurrPcieLinkGeneration
  cnvml_return (*device_get_max_pcie_link_generation)(cnvml_device, unsigned int *);  // nvmlDeviceGetMaxPcieLinkGeneration
  cnvml_return (*device_get_curr_pcie_link_width)(cnvml_device, unsigned int *);      // nvmlDeviceGetCurrPcieLinkWidth
  cnvml_return (*device_get_max_pcie_link_width)(cnvml_device, unsigned int *);       // nvmlDeviceGetMaxPcieLinkWidth
  cnvml_return (*device_get_nvlink_state)(cnvml_device, unsigned int, int *);          // nvmlDeviceGetNvLinkState
  cnvml_return (*device_get_clocks_event_reasons)(cnvml_device, unsigned long long *); // nvmlDeviceGetCurrentClocksEventReasons (or ...ThrottleReasons)
} cnvml_api;

/// Opens `path` with dlopen and resolves the entry points into `api`.
/// Returns 0 on success; otherwise -1 with a readable reason (dlerror's text or the
/// missing symbol) in `error`, and `api` left closed.
int cnvml_open(const char *path, cnvml_api *api, char *error, size_t error_size);

/// dlclose()s the library opened by cnvml_open(). Safe on a closed api.
void cnvml_close(cnvml_api *api);

#endif
