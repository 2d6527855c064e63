package dev.deepgramagent.it.apps;

import okhttp3.OkHttpClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Loads and uses OkHttp's RealWebSocket and the JDK's WebSocket client, then waits for commands on stdin: the test attaches the
 * agent in between, so the class was loaded before the agent arrived.
 */
public final class AttachTargetApp {

    public static void main(String[] args) throws Exception {
        OkHttpClient client = new OkHttpClient();
        System.out.println("before attach: websocket failed=" + DeadEndSocket.openAndFail(client));
        System.out.println("before attach: jdk websocket failed=" + DeadEndSocket.openAndFailJdk());
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("open")) {
                System.out.println("after attach: websocket failed=" + DeadEndSocket.openAndFail(client));
                System.out.println("after attach: jdk websocket failed=" + DeadEndSocket.openAndFailJdk());
                System.out.println("OPENED");
                System.out.flush();
            } else if (line.equals("exit")) {
                break;
            }
        }
        client.dispatcher().executorService().shutdown();
    }
}
