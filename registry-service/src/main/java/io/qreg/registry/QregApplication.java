package io.qreg.registry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point of the registry service: API, portal and governance over one PostgreSQL. */
@SpringBootApplication
public class QregApplication {

    public static void main(String[] args) {
        SpringApplication.run(QregApplication.class, args);
    }
}
