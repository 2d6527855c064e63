package dev.deepgramagent.simulator;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar deepgram-simulator.jar [--port N] [--idle-timeout 10s] [--latency 500ms] ...}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        SimulatorOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("deepgram-simulator: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }
        if (options == null) {
            usage();
            return;
        }
        DeepgramSimulator sim = DeepgramSimulator.start(options.logSessions(true));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("deepgram-simulator: stopping");
            sim.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("deepgram-simulator listening on " + sim.listenUrl() + " (Flux: " + sim.fluxUrl()
                + ", non-Deepgram echo: " + sim.echoUrl() + ")");
        System.out.flush();
        stopped.await();
    }

    static SimulatorOptions parse(String[] args) {
        SimulatorOptions o = SimulatorOptions.defaults().port(8089);
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            switch (flag) {
                case "--host": o.host(v); break;
                case "--port": o.port(Integer.parseInt(v)); break;
                case "--idle-timeout": o.idleTimeout(SimulatorOptions.parseDuration(v)); break;
                case "--flux-idle-timeout": o.fluxIdleTimeout(SimulatorOptions.parseDuration(v)); break;
                case "--eot-silence": o.eotSilence(SimulatorOptions.parseDuration(v)); break;
                case "--latency": o.latency(SimulatorOptions.parseDuration(v)); break;
                case "--segment": o.segment(SimulatorOptions.parseDuration(v)); break;
                case "--fault": o.fault(Fault.parse(v)); break;
                case "--fault-after": o.faultAfter(SimulatorOptions.parseDuration(v)); break;
                case "--flush-delay": o.flushDelay(SimulatorOptions.parseDuration(v)); break;
                case "--reset-after-bytes": o.resetAfterBytes(Long.parseLong(v)); break;
                case "--close-code": o.close(Integer.parseInt(v), o.closeReason); break;
                case "--close-reason": o.close(o.closeCode, v); break;
                case "--max-frame-bytes": o.maxFrameBytes(Integer.parseInt(v)); break;
                case "--api-key": o.apiKey(v); break;
                default: throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return o;
    }

    private static void usage() {
        System.err.println(String.join("\n",
                "usage: java -jar deepgram-simulator.jar [options]",
                "  --host H               address to bind (default 127.0.0.1)",
                "  --port N               port (default 8089; 0 = any free port)",
                "  --idle-timeout D       close 1011 NET-0001 after D without audio or text (default 10s)",
                "  --flux-idle-timeout D  /v2/listen: close 1011 NET-0001 after D without audio, text or ping (default 60s)",
                "  --eot-silence D        /v2/listen: silent audio that ends a turn (default 400ms)",
                "  --latency D            processing delay before results (default 500ms)",
                "  --segment D            audio per final result (default 1s)",
                "  --fault F              fault for every session: " + Fault.accepted(),
                "  --fault-after D        when timed faults strike (default 1s)",
                "  --flush-delay D        Finalize answer delay for slow_flush (default 5s)",
                "  --reset-after-bytes N  reset fault strikes after N audio bytes",
                "  --close-code C --close-reason R   the close fault's frame (default 1011, empty)",
                "  --max-frame-bytes N    largest accepted frame (default 1048576)",
                "  --api-key K            accept only this key (default: any non-empty key)",
                "Per session: query parameters sim_fault, sim_fault_after, sim_flush_delay, sim_idle_timeout,",
                "sim_latency, sim_segment, sim_reset_after_bytes, sim_close_code, sim_close_reason;",
                "on /v2/listen also sim_ping_timeout and sim_eot_silence."));
    }
}
