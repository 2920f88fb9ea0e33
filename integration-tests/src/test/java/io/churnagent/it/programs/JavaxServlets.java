package io.churnagent.it.programs;

import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A {@code javax.servlet} servlet (embedded Tomcat 9) that calls a loopback backend with a
 * JDK HttpClient built per request ({@code per-request}) or built once ({@code shared}). Arguments:
 * mode, number of requests. Prints {@code backend <port>}, {@code ok <n>}, {@code done}.
 */
public final class JavaxServlets {

    static URI backend;
    static HttpClient shared;
    static boolean perRequest;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        perRequest = args[0].equals("per-request");
        int requests = Integer.parseInt(args[1]);
        backend = OkBackend.start();
        System.out.println("backend " + backend.getPort());
        if (!perRequest) {
            shared = HttpClient.newHttpClient();
        }

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(java.nio.file.Files.createTempDirectory("tomcat").toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "front", new Front());
        context.addServletMappingDecoded("/*", "front");
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();

        HttpClient driver = HttpClient.newHttpClient();
        int ok = 0;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = driver.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            ok += r.statusCode() == 200 && r.body().equals("ok") ? 1 : 0;
        }
        System.out.println("ok " + ok);
        System.out.println("done");
        Thread.sleep(1500); // a few evaluations (every 200 ms in the test) before the shutdown report
        System.exit(0);
    }

    /** The servlet: javax.servlet.http.HttpServlet, so the agent's javax hook must see it. */
    public static final class Front extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String body = fetch(); // HANDLER:javax
            response.setStatus(200);
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }

        private static String fetch() throws IOException {
            HttpClient client = perRequest ? HttpClient.newHttpClient() : shared; // SITE:javax
            try {
                return client.send(HttpRequest.newBuilder(backend).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }
}
