#include "sql/tenant_scope.hpp"

#include <utility>

namespace mucstream::sql {
namespace {
thread_local const std::string* t_current = nullptr;
}

TenantScope::TenantScope(std::string domain)
    : domain_(std::move(domain)), previous_(t_current), active_(!domain_.empty()) {
  if (active_) t_current = &domain_;
}

TenantScope::~TenantScope() {
  if (active_) t_current = previous_;
}

const std::string* TenantScope::current() { return t_current; }

}  // namespace mucstream::sql
