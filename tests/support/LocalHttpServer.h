#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace graft::testing {

// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that serves one body at any path,
// honours "Range: bytes=N-", and can be told to drop the connection half way through.
class LocalHttpServer {
public:
    explicit LocalHttpServer(std::string body) : body_(std::move(body)) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 4) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        socklen_t length = sizeof address;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~LocalHttpServer() {
        stopping_ = true;
        shutdown(listener_, SHUT_RDWR);
        close(listener_);
        thread_.join();
    }

    std::string url(const std::string& path = "/weights.pth") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    // Send the headers for the whole body but only this many bytes of it, then close.
    void dropAfter(std::size_t bytes) { dropAfter_ = bytes; }
    void serveFully() { dropAfter_ = std::string::npos; }
    // Answer every request with 404 Not Found.
    void notFound() { notFound_ = true; }
    // Answer every request with the whole body, as servers without Range support do.
    void ignoreRanges() { ignoreRanges_ = true; }
    std::vector<std::string> rangesRequested() {
        std::lock_guard lock(mutex_);
        return ranges_;
    }

private:
    void serve() {
        while (!stopping_) {
            const int client = accept(listener_, nullptr, nullptr);
            if (client < 0) return;
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const auto got = read(client, buffer, sizeof buffer);
                if (got <= 0) break;
                request.append(buffer, std::size_t(got));
            }
            std::size_t from = 0;
            if (const auto range = request.find("Range: bytes="); range != std::string::npos && !ignoreRanges_) {
                from = std::stoul(request.substr(range + 13));
                std::lock_guard lock(mutex_);
                ranges_.push_back(request.substr(range + 13, request.find("\r\n", range) - range - 13));
            }
            const std::string part = notFound_ ? std::string() : body_.substr(std::min(from, body_.size()));
            std::string response = notFound_ ? "HTTP/1.1 404 Not Found\r\n" : "HTTP/1.1 200 OK\r\n";
            if (from > 0)
                response = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
                           std::to_string(body_.size() - 1) + "/" + std::to_string(body_.size()) + "\r\n";
            response += "Content-Length: " + std::to_string(part.size()) + "\r\nConnection: close\r\n\r\n";
            response += part.substr(0, std::min(part.size(), dropAfter_.load()));
            for (std::size_t sent = 0; sent < response.size();) {
                const auto wrote = write(client, response.data() + sent, response.size() - sent);
                if (wrote <= 0) break;
                sent += std::size_t(wrote);
            }
            close(client);
        }
    }

    std::string body_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> dropAfter_{std::string::npos};
    std::atomic<bool> ignoreRanges_{false};
    std::atomic<bool> notFound_{false};
    std::mutex mutex_;
    std::vector<std::string> ranges_;
    std::thread thread_;
};

} // namespace graft::testing
