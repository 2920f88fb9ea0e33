package example.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A Spring Boot service whose {@code /quote} asks its own {@code /price} over HTTP, through a client
 * built per request ({@code shop.client-per-request=true}, the defect) or a shared bean.
 */
@SpringBootApplication
public class QuoteApp {

    @Bean
    HttpClient sharedClient() {
        return HttpClient.newHttpClient();
    }

    @RestController
    static class QuoteController {
        private final HttpClient shared;
        private final Environment environment;
        private final boolean clientPerRequest;

        QuoteController(HttpClient shared, Environment environment,
                        @Value("${shop.client-per-request:false}") boolean clientPerRequest) {
            this.shared = shared;
            this.environment = environment;
            this.clientPerRequest = clientPerRequest;
        }

        @GetMapping("/price")
        String price() {
            return "42";
        }

        @GetMapping("/quote")
        String quote() throws IOException, InterruptedException {
            HttpClient client = clientPerRequest
                    ? HttpClient.newHttpClient() // churn-site: a client per request
                    : shared;
            URI price = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + "/price");
            return "quote " + client.send(HttpRequest.newBuilder(price).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
