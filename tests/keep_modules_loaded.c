/* Sanitizer runs only (run/test --sanitize preloads it): dlclose does
 * nothing, so the plug-ins OpenMPI unloads at MPI_Finalize stay mapped and
 * LeakSanitizer can name them, which lets tests/lsan.supp suppress
 * OpenMPI's own start-up allocations while our leaks are still reported. */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
