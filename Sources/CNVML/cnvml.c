#include "cnvml.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#define RESOLVE(field, symbol, required)                                              \
  do {                                                                                \
    *(void **)(&api->field) = dlsym(api->handle, symbol);                             \
    if ((required) && api->field == NULL) {                                           \
      snprintf(error, error_size, "%s does not export %s (not an NVML library, or one too old)", \
               path, symbol);                                                         \
      cnvml_close(api);                                                               \
      return -1;                                                                      \
    }                                                                                 \
  } while (0)

int cnvml_open(const char *path, cnvml_api *api, char *error, size_t error_size) {
  memset(api, 0, sizeof *api);
  dlerror();
  api->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (api->handle == NULL) {
    const char *reason = dlerror();
    snprintf(error, error_size, "%s", reason ? reason : "dlopen failed");
    return -1;
  }
  RESOLVE(init_v2, "nvmlInit_v2", 1);
  RESOLVE(shutdown, "nvmlShutdown", 1);
  RESOLVE(error_string, "nvmlErrorString", 1);
  RESOLVE(system_get_driver_version, "nvmlSystemGetDriverVersion", 1);
  RESOLVE(system_get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion_v2", 0);
  if (api->system_get_cuda_driver_version == NULL)
    RESOLVE(system_get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion", 0);
  RESOLVE(device_get_count, "nvmlDeviceGetCount_v2", 1);
  RESOLVE(device_get_handle_by_index, "nvmlDeviceGetHandleByIndex_v2", 1);
  RESOLVE(device_get_name, "nvmlDeviceGetName", 0);
  RESOLVE(device_get_brand, "nvmlDeviceGetBrand", 0);
  RESOLVE(device_get_uuid, "nvmlDeviceGetUUID", 0);
  RESOLVE(device_get_serial, "nvmlDeviceGetSerial", 0);
  RESOLVE(device_get_memory_info, "nvmlDeviceGetMemoryInfo", 0);
  RESOLVE(device_get_cuda_compute_capability, "nvmlDeviceGetCudaComputeCapability", 0);
  RESOLVE(device_get_persistence_mode, "nvmlDeviceGetPersistenceMode", 0);
  RESOLVE(device_get_mig_mode, "nvmlDeviceGetMigMode", 0);
  RESOLVE(device_get_pci_info, "nvmlDeviceGetPciInfo_v3", 0);
  RESOLVE(device_get_temperature, "nvmlDeviceGetTemperature", 0);
  RESOLVE(device_get_total_ecc_errors, "nvmlDeviceGetTotalEccErrors", 0);
  RESOLVE(device_get_retired_pages_pending, "nvmlDeviceGetRetiredPagesPendingStatus", 0);
  RESOLVE(device_get_remapped_rows, "nvmlDeviceGetRemappedRows", 0);
  RESOLVE(device_get_utilization_rates, "nvmlDeviceGetUtilizationRates", 0);
  RESOLVE(device_get_curr_pcie_link_generation, "nvmlDeviceGetCurrPcieLinkGeneration", 0);
  RESOLVE(device_get_max_pcie_link_generation, "nvmlDeviceGetMaxPcieLinkGeneration", 0);
  RESOLVE(device_get_curr_pcie_link_width, "nvmlDeviceGetCurrPcieLinkWidth", 0);
  RESOLVE(device_get_max_pcie_link_width, "nvmlDeviceGetMaxPcieLinkWidth", 0);
  RESOLVE(device_get_nvlink_state, "nvmlDeviceGetNvLinkState", 0);
  RESOLVE(device_get_clocks_event_reasons, "nvmlDeviceGetCurrentClocksEventReasons", 0);
  if (api->device_get_clocks_event_reasons == NULL)
    RESOLVE(device_get_clocks_event_reasons, "nvmlDeviceGetCurrentClocksThrottleReasons", 0);
  return 0;
}

void cnvml_close(cnvml_api *api) {
  if (api->handle != NULL) dlclose(api->handle);
  memset(api, 0, sizeof *api);
}
