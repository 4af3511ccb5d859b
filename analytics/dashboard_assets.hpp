#pragma once
// The dashboard's static files (analytics/dashboard/), compiled into the binary by
// analytics/embed_dashboard.cmake so the API process serves them offline.
#include <string_view>
#include <vector>

namespace mucstream::analytics {

struct DashboardAsset {
  std::string_view name;          // file name, e.g. "app.js"
  std::string_view content_type;  // from the extension
  std::string_view body;
};

// Every asset, in name order.
const std::vector<DashboardAsset>& dashboard_assets();

}  // namespace mucstream::analytics
