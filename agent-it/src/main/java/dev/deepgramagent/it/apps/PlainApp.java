package dev.deepgramagent.it.apps;

import okhttp3.OkHttpClient;

/**
 * The smallest app: prints what it does, opens a Deepgram socket to a closed port and reports
 * whether the agent's bridge is visible from the bootstrap class loader.
 */
public final class PlainApp {

    public static void main(String[] args) throws Exception {
        System.out.println("plain app started");
        java.util.List<String> what = java.util.Arrays.asList(args);
        if (what.contains("socket")) {
            OkHttpClient client = new OkHttpClient();
            System.out.println("websocket failed=" + DeadEndSocket.openAndFail(client));
            client.dispatcher().executorService().shutdown();
        }
        if (what.contains("bridge")) {
            boolean bridge;
            try {
                Class.forName("dev.deepgramagent.bridge.Bridge", false, null);
                bridge = true;
            } catch (ClassNotFoundException e) {
                bridge = false;
            }
            System.out.println("agent bridge in bootstrap loader: " + bridge);
        }
        System.out.println("plain app done");
    }
}
