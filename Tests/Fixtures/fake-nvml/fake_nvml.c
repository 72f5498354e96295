/* A stand-in libnvidia-ml.so.1 for tests: the real NVML entry points, with the values
 * the real H200 capture reports (driver 580.159.04, CUDA 13.0, NVIDIA H200, brand NVIDIA,
 * compute capability 9.0, 143771 MiB, persistence on, MIG off, bus 00000000:00:06.0).
 * It lets the tests drive DynamicNVML's dlopen/dlsym and struct layouts for real.
 * Build: cc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c [-DFAKE_INIT_RESULT=18] [-DFAKE_REMAP_PENDING=1]
 *        [-DFAKE_LINK_GEN=1] [-DFAKE_GPU_UTIL=97]
 *        [-DFAKE_NVLINK_ACTIVE=N]  NVLink supported, links 0..N-1 of 18 active (default: NVLink not
 *                                  supported, as on the captured VM, whose driver has NvLinkDisable=1)
 *        [-DFAKE_CLOCKS_EVENTS=0x48]  clocks event reason mask (default 0x1, GPU idle, as captured)
 *        [-DFAKE_HANG_ALL=1]   every entry point blocks forever (a wedged driver: nvmlInit_v2 never returns)
 *        [-DFAKE_HANG_NAME=1]  only nvmlDeviceGetName blocks forever (a GPU that stops answering mid-query) */
#include <string.h>
#include <unistd.h>

#ifndef FAKE_HANG_ALL
#define FAKE_HANG_ALL 0
#endif

#ifndef FAKE_HANG_NAME
#define FAKE_HANG_NAME 0
#endif

/* Blocks forever, as a call into a wedged driver does: only a signal that kills the process ends it. */
static void hang_if(int condition) {
  if (condition)
    for (;;) pause();
}
#define ENTRY hang_if(FAKE_HANG_ALL)

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

int nvmlInit_v2(void) { ENTRY; return FAKE_INIT_RESULT; }
int nvmlShutdown(void) { ENTRY; return 0; }
const char *nvmlErrorString(int result) {
  ENTRY;
  return result == 18 ? "RM has detected an NVML/RM version mismatch." : "Unknown Error";
}
int nvmlSystemGetDriverVersion(char *version, unsigned int length) { ENTRY; return copy(version, length, "580.159.04"); }
int nvmlSystemGetCudaDriverVersion_v2(int *version) { ENTRY; *version = 13000; return 0; }
int nvmlDeviceGetCount_v2(unsigned int *count) { ENTRY; *count = 1; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  ENTRY;
  if (index != 0) return 2;
  *device = &device_token;
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  ENTRY;
  hang_if(FAKE_HANG_NAME);
  (void)d;
  return copy(name, length, "NVIDIA H200");
}
int nvmlDeviceGetBrand(nvmlDevice_t d, int *brand) { ENTRY; (void)d; *brand = 14; return 0; } /* NVML_BRAND_NVIDIA */
int nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  ENTRY;
  (void)d;
  return copy(uuid, length, "GPU-5a1e0000-0000-4000-8000-000000000001");
}
int nvmlDeviceGetSerial(nvmlDevice_t d, char *serial, unsigned int length) { ENTRY; (void)d; return copy(serial, length, "0000000000000"); }
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *memory) {
  ENTRY;
  (void)d;
  memory->total = 143771ULL * 1048576ULL;
  memory->used = 616ULL * 1048576ULL;
  memory->free = memory->total - memory->used;
  return 0;
}
int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int *major, int *minor) { ENTRY; (void)d; *major = 9; *minor = 0; return 0; }
int nvmlDeviceGetPersistenceMode(nvmlDevice_t d, int *mode) { ENTRY; (void)d; *mode = 1; return 0; }
int nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
  ENTRY;
  (void)d; *current = 0; *pending = 0; return 0;
}
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  ENTRY;
  (void)d;
  memset(pci, 0, sizeof *pci);
  strcpy(pci->busIdLegacy, "0000:00:06.0");
  strcpy(pci->busId, "00000000:00:06.0");
  pci->bus = 0; pci->device = 6; pci->pciDeviceId = 0x233510DE; pci->pciSubSystemId = 0x18BF10DE;
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temperature) {
  ENTRY;
  (void)d; (void)sensor; *temperature = 42; return 0;
}
int nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int type, int counter, unsigned long long *count) {
  ENTRY;
  (void)d; *count = (type == 1 && counter == 1) ? 0 : 99; return 0;
}
int nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t d, int *pending) { ENTRY; (void)d; *pending = 0; return 0; }
int nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failed) {
  ENTRY;
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
  ENTRY;
  (void)d; rates->gpu = FAKE_GPU_UTIL; rates->memory = 0; return 0;
}
int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned int *gen) { ENTRY; (void)d; *gen = FAKE_LINK_GEN; return 0; }
int nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned int *gen) { ENTRY; (void)d; *gen = 5; return 0; }
int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned int *width) { ENTRY; (void)d; *width = 16; return 0; }
int nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned int *width) { ENTRY; (void)d; *width = 16; return 0; }

#ifndef FAKE_NVLINK_ACTIVE
#define FAKE_NVLINK_ACTIVE -1
#endif
#ifndef FAKE_CLOCKS_EVENTS
#define FAKE_CLOCKS_EVENTS 0x1ULL
#endif
/* nvml.h: NVML_ERROR_NOT_SUPPORTED 3 for a GPU without NVLink, NVML_ERROR_INVALID_ARGUMENT 2 past the last link. */
int nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned int link, int *isActive) {
  ENTRY;
  (void)d;
  if (FAKE_NVLINK_ACTIVE < 0) return 3;
  if (link >= 18) return 2;
  *isActive = (int)link < FAKE_NVLINK_ACTIVE ? 1 : 0;
  return 0;
}
int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *reasons) {
  ENTRY;
  (void)d;
  *reasons = FAKE_CLOCKS_EVENTS;
  return 0;
}
