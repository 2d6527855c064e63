package dev.deepgramagent.bench.apps;

import okhttp3.OkHttpClient;
import okio.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The end-to-end benchmark's app: N concurrent OkHttp sessions to the simulator, each streaming
 * 16 kHz linear16 in 20 ms chunks (640 bytes) at a fixed multiple of real time. After a warm-up it
 * reports the frames per second it kept up and the CPU time of the whole process over the window.
 *
 * <p>Arguments: url sessions speed warmupSeconds measureSeconds metricsPort (the agent's, or -1
 * without it).
 */
public final class LoadApp {

    static final int CHUNK_BYTES = 640;
    static final long CHUNK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A session whose queue holds more than this is not keeping up; it skips its turn. */
    static final long MAX_QUEUED_BYTES = 256 * 1024;
    static final int SENDER_THREADS = 2;

    private LoadApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int sessionCount = Integer.parseInt(args[1]);
        double speed = Double.parseDouble(args[2]);
        long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        int metricsPort = Integer.parseInt(args[5]);

        OkHttpClient client = Sessions.client(sessionCount);
        List<Sessions.Tracked> sessions = new ArrayList<>();
        for (int i = 0; i < sessionCount; i++) {
            sessions.add(Sessions.open(client, url));
        }
        for (Sessions.Tracked s : sessions) {
            s.awaitOpen(60);
        }

        long intervalNanos = (long) (CHUNK_NANOS / speed);
        AtomicLong framesSent = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long measureStart = start + warmupNanos;
        long end = measureStart + measureNanos;
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < SENDER_THREADS; t++) {
            List<Sessions.Tracked> mine = new ArrayList<>();
            for (int i = t; i < sessions.size(); i += SENDER_THREADS) {
                mine.add(sessions.get(i));
            }
            Thread sender = new Thread(() -> pace(mine, start, end, intervalNanos, framesSent, refused), "sender-" + t);
            sender.start();
            senders.add(sender);
        }

        sleepUntil(measureStart);
        long framesAtStart = framesSent.get();
        long cpuAtStart = ProcStatus.processCpuNanos();
        sleepUntil(end);
        long framesAtEnd = framesSent.get();
        long cpuAtEnd = ProcStatus.processCpuNanos();
        for (Thread sender : senders) {
            sender.join();
        }

        double seconds = measureNanos / 1e9;
        ProcStatus.report("frames_per_second", (framesAtEnd - framesAtStart) / seconds);
        ProcStatus.report("target_frames_per_second", sessionCount * 1e9 / intervalNanos);
        ProcStatus.report("cpu_seconds", (cpuAtEnd - cpuAtStart) / 1e9);
        ProcStatus.report("session_minutes", sessionCount * seconds / 60);
        ProcStatus.report("refused_frames", refused.get());
        if (metricsPort > 0) {
            // The control, after the measurement: the agent tracked every session it streamed on.
            ProcStatus.report("agent_sessions_active", AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE));
        }
        int failed = 0;
        for (Sessions.Tracked s : sessions) {
            if (s.failure != null) {
                failed++;
            }
            s.socket.cancel();
        }
        ProcStatus.report("failed_sessions", failed);
        Sessions.shutdown(client);
        System.exit(0);
    }

    /** Sends each session's frames as they fall due; a session that fell behind catches up. */
    private static void pace(List<Sessions.Tracked> sessions, long start, long end, long intervalNanos,
                             AtomicLong framesSent, AtomicLong refused) {
        ByteString chunk = ByteString.of(new byte[CHUNK_BYTES]);
        long[] sent = new long[sessions.size()];
        long now;
        while ((now = System.nanoTime()) < end) {
            long due = (now - start) / intervalNanos + 1;
            long count = 0;
            for (int i = 0; i < sent.length; i++) {
                Sessions.Tracked s = sessions.get(i);
                while (sent[i] < due && s.socket.queueSize() < MAX_QUEUED_BYTES) {
                    if (s.socket.send(chunk)) {
                        count++;
                    } else {
                        refused.incrementAndGet();
                    }
                    sent[i]++;
                }
            }
            framesSent.addAndGet(count);
            LockSupport.parkNanos(Math.max(100_000, intervalNanos / 4));
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
