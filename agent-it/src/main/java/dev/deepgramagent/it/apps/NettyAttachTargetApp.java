package dev.deepgramagent.it.apps;

import dev.deepgramagent.demo.NettyClient;
import dev.deepgramagent.demo.SampleApp;
import dev.deepgramagent.simulator.TestAudio;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty app (the demo's NettyClient, run on agent-it's netty-4.1 stack) that streams one
 * session before the agent is attached, so Netty's handshaker is loaded without advice, and one
 * more on "open" after it. args[0]: the simulator's /v1/listen URL.
 */
public final class NettyAttachTargetApp {

    public static void main(String[] args) throws Exception {
        System.out.println("before attach: netty session ended=" + session(args[0]));
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("open")) {
                System.out.println("after attach: netty session ended=" + session(args[0]));
                System.out.println("OPENED");
                System.out.flush();
            } else if (line.equals("exit")) {
                break;
            }
        }
        System.exit(0);
    }

    /** Half a second of audio, the close right after it. */
    private static boolean session(String url) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        SampleApp.Sender netty = NettyClient.connect(new SampleApp.Options(new String[] {"url=" + url}),
                new SampleApp.Messages(new ArrayList<>(), new CountDownLatch(1)), ended);
        if (netty == null) {
            return false;
        }
        for (int i = 0; i < 25; i++) {
            netty.sendAudio(TestAudio.chunk(i));
        }
        netty.close();
        boolean done = ended.await(20, TimeUnit.SECONDS);
        netty.shutdown();
        return done;
    }
}
