/* A stand-in libnvidia-ml.so.1 for tests: the real NVML entry points, with the values
 * the real H200 capture reports (driver 580.159.04, CUDA 13.0, NVIDIA H200, brand NVIDIA,
 * compute capability 9.0, 143771 MiB, persistence on, MIG off, bus 00000000:00:06.0).
 * It lets the tests drive DynamicNVML's dlopen/dlsym and struct layouts for real.
 * Build: cc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c [-DFAKE_INIT_RESULT=18] [-DFAKE_REMAP_PENDING=1]
 *        [-DFAKE_LINK_GEN=1] [-DFAKE_GPU_UTIL=97] */
#include <string.h>

#ifndef FAKE_REMAP_PENDING
#define FAKE_REMAP_PENDING 0
#endif

#ifndef FAKE_INIT_RESULT
#define FAKE_INIT_RESULT 0
#endif

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef void *nvmlDevice_t;
static int device_token;

static int copy(char *buffer, unsigned int size, const char *text) {
  if (strlen(text) + 1 > size) return 7; /* NVML_ERROR_INSUFFICIENT_SIZE */
  strcpy(buffer, text);
  return 0;
}

int nvmlInit_v2(void) { return FAKE_INIT_RESULT; }
int nvmlShutdown(void) { return 0; }
const char *nvmlErrorString(int result) {
  return result == 18 ? "RM has detected an NVML/RM version mismatch." : "Unknown Error";
}
int nvmlSystemGetDriverVersion(char *version, unsigned int length) { return copy(version, length, "580.159.04"); }
int nvmlSystemGetCudaDriverVersion_v2(int *version) { *version = 13000; return 0; }
int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 1; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (index != 0) return 2;
  *device = &device_token;
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) { (void)d; return copy(name, length, "NVIDIA H200"); }
int nvmlDeviceGetBrand(nvmlDevice_t d, int *brand) { (void)d; *brand = 14; return 0; } /* NVML_BRAND_NVIDIA */
int nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  (void)d;
  return copy(uuid, length, "GPU-5a1e0000-0000-4000-8000-000000000001");
}
int nvmlDeviceGetSerial(nvmlDevice_t d, char *serial, unsigned int length) { (void)d; return copy(serial, length, "0000000000000"); }
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *memory) {
  (void)d;
  memory->total = 143771ULL * 1048576ULL;
  memory->used = 616ULL * 1048576ULL;
  memory->free = memory->total - memory->used;
  return 0;
}
int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int *major, int *minor) { (void)d; *major = 9; *minor = 0; return 0; }
int nvmlDeviceGetPersistenceMode(nvmlDevice_t d, int *mode) { (void)d; *mode = 1; return 0; }
int nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  (void)d; *current = 0; *pending = 0; return 0;
}
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  (void)d;
  memset(pci, 0, sizeof *pci);
  strcpy(pci->busIdLegacy, "0000:00:06.0");
  strcpy(pci->busId, "00000000:00:06.0");
  pci->bus = 0; pci->device = 6; pci->pciDeviceId = 0x233510DE; pci->pciSubSystemId = 0x18BF10DE;
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temperature) {
  (void)d; (void)sensor; *temperature = 42; return 0;
}
int nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int type, int counter, unsigned long long *count) {
  (void)d; *count = (type == 1 && counter == 1) ? 0 : 99; return 0;
}
int nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t d, int *pending) { (void)d; *pending = 0; return 0; }
int nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failed) {
  (void)d; *corr = 0; *unc = 0; *pending = FAKE_REMAP_PENDING; *failed = 0; return 0;
}

/* The PCIe link and utilisation of an idle H200 as NVML reported them live (Gen 5 of 5, x16
 * of x16, 0 %); -DFAKE_LINK_GEN=1 -DFAKE_GPU_UTIL=97 make a slow link under load. */
#ifndef FAKE_LINK_GEN
#define FAKE_LINK_GEN 5
#endif
#ifndef FAKE_GPU_UTIL
#define FAKE_GPU_UTIL 0
#endif
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *rates) {
  (void)d; rates->gpu = FAKE_GPU_UTIL; rates->memory = 0; return 0;
}
int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned int *gen) { (void)d; *gen = FAKE_LINK_GEN; return 0; }
int nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned int *gen) { (void)d; *gen = 5; return 0; }
int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned int *width) { (void)d; *width = 16; return 0; }
int nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned int *width) { (void)d; *width = 16; return 0; }
