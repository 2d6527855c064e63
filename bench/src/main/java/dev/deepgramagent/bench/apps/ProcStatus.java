package dev.deepgramagent.bench.apps;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Collection;
import javax.management.ObjectName;

/** What the forked apps report about their own process. Linux only: peak RSS comes from /proc. */
final class ProcStatus {

    private ProcStatus() {
    }

    /** VmHWM: the process's peak resident set size so far, in KiB; -1 where /proc is missing. */
    static long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time of the whole process (every thread, the agent's included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Heap in use after a full collection; run with -XX:+UseSerialGC so that the number is the live set. */
    static long liveHeapBytes() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        // Repeat until the figure stops moving: reference processing can free more on a second pass.
        for (int i = 0; i < 6; i++) {
            System.gc();
            long now = rt.totalMemory() - rt.freeMemory();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    /**
     * Live instances of the named classes, summed over every class loader that defined one (the
     * agent's classes live in its own loader), from the JVM's class histogram, which runs a full
     * collection first.
     */
    static long liveInstances(Collection<String> classNames) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        long count = 0;
        boolean seenRow = false;
        for (String line : histogram.split("\n")) {
            // "   12:        345        6789  a.b.C (module)" or "  12:  345  6789  a.b.C"
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                seenRow = true;
                if (classNames.contains(f[3])) {
                    count += Long.parseLong(f[1]);
                }
            }
        }
        if (!seenRow) {
            throw new IllegalStateException("no class histogram from the JVM");
        }
        return count;
    }

    static void report(String key, Object value) {
        System.out.println(key + "=" + value);
    }
}
