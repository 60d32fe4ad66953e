// The federation's facts and the wording of simulated traffic. Coordinates are WGS-84,
// rounded to four decimals (about 10 m): the south line runs along the Liuhe (浏河) and
// the Shanghai–Taicang boundary near 31.38–31.51 N, 121.15–121.34 E; the west line along
// the Taicang–Kunshan boundary near 31.42–31.50 N, 121.03–121.09 E.
#include "simulator/scenery.h"

namespace sixlink::sim {

namespace {

MemberFacts taicang() {
  MemberFacts m;
  m.id = "taicang";
  m.name = "太仓市";
  m.region_code = "320585";
  m.id_prefix = "TC";
  m.adapter = "sixlink";
  m.places = {{"浏河镇", "太仓市浏河镇新塘村沪太路东侧", 31.4836, 121.2912},
              {"双凤镇", "太仓市双凤镇新湖村昆太交界处", 31.4903, 121.0451}};
  m.police_unit = "太仓市公安局浏河派出所";
  m.mediation_unit = "太仓市浏河镇人民调解委员会";
  m.governance_unit = "太仓市联动指挥中心";
  m.alert_sender = "taicang.sixlink.local";
  return m;
}

MemberFacts baoshan() {
  MemberFacts m;
  m.id = "baoshan";
  m.name = "宝山区";
  m.region_code = "310113";
  m.id_prefix = "BS";
  m.adapter = "baoshan-json";
  m.border_line = "south_line";
  m.places = {{"罗泾镇", "宝山区罗泾镇沪太路与浏河交界处", 31.4712, 121.3398},
              {"罗泾镇", "宝山区罗泾镇川纪路近太仓界", 31.4868, 121.3295},
              {"浏河镇", "太仓市浏河镇浏河口江堤", 31.5112, 121.3052},
              {"罗泾镇", "宝山区罗泾镇新川沙河闸口", 31.4954, 121.3417}};
  m.police_unit = "宝山公安分局罗泾派出所沪太边界联防巡逻组";
  m.mediation_unit = "罗泾镇人民调解委员会";
  m.governance_unit = "宝山区城市运行管理中心";
  m.alert_sender = "qxj.shbsq.gov.cn";
  m.alerts = {
      {"大风", "Met", "Severe", "Expected", "Likely", "宝山区气象局发布大风橙色预警",
       "受强冷空气影响，预计今天夜间到明天白天长江口及沿江地区将出现8级、阵风10级的偏北大风。",
       "沿江作业立即停止，船舶回港避风，加固户外广告牌和临时搭建物。", "宝山区沿江地区及浏河口", false},
      {"长江口能见度不良", "Transport", "Minor", "Expected", "Possible", "长江口宝山段水上交通提示",
       "受平流雾影响，长江口宝山段至浏河口水域能见度可能低于1000米。",
       "过往船舶加强瞭望，谨慎驾驶，必要时就近锚泊。", "长江口宝山段至浏河口水域", true}};
  m.disputes = {
      {"罗泾镇与浏河镇交界处施工噪声纠纷", "邻里纠纷",
       "太仓市浏河镇居民反映宝山区罗泾镇一侧工地夜间施工噪声扰民，需两地联合调解。",
       "施工时间调整到位，双方签署调解协议"},
      {"跨界承包鱼塘水面权属纠纷", "土地权属纠纷",
       "浏河两岸两村村民对交界处一处鱼塘的承包权存在争议，多次发生口角。",
       "两地村委会确认权属边界，双方签署调解协议"}};
  m.problems = {{"浏河沿岸跨界非法倾倒建筑垃圾", "非法倾倒",
                 "巡查发现浏河宝山段与太仓段交界处堆放建筑垃圾约200立方米，疑似夜间偷倒。",
                 "垃圾全部清运，责任主体查处到位，并经两地联合验收"}};
  m.bulletins = {"沪太路罗泾段道路施工通告|沪太路罗泾段（浏河桥至川纪路）将于本周实施半幅封闭施工，请过往车辆绕行。",
                 "宝山区防汛防台工作提示|进入汛期，请沿江沿河各单位落实值班值守，做好防汛物资检查。"};
  m.incidents = {"非法捕捞|浏河口水域发现一艘无名渔船违规作业，已联系水上派出所处置。",
                 "交通事故|沪太路罗泾段发生两车追尾，无人员伤亡，已疏导交通。"};
  return m;
}

MemberFacts jiading() {
  MemberFacts m;
  m.id = "jiading";
  m.name = "嘉定区";
  m.region_code = "310114";
  m.id_prefix = "JD";
  m.adapter = "jiading-cap";
  m.border_line = "south_line";
  m.places = {{"华亭镇", "嘉定区华亭镇沪太公路与太仓交界处", 31.4385, 121.2162},
              {"华亭镇", "嘉定区华亭镇双塘村", 31.4520, 121.2480},
              {"外冈镇", "嘉定区外冈镇外冈工业园区北侧", 31.3790, 121.1650},
              {"浏河镇", "太仓市浏河镇东仓村", 31.4550, 121.2450}};
  m.police_unit = "嘉定公安分局华亭派出所联防巡逻组";
  m.mediation_unit = "华亭镇人民调解委员会";
  m.governance_unit = "嘉定区城市运行管理中心";
  m.alert_sender = "qxj.jiading.gov.cn";
  m.alerts = {
      {"暴雨", "Met", "Severe", "Immediate", "Likely", "嘉定区气象局发布暴雨橙色预警",
       "预计未来3小时嘉定区北部及沪太交界地区将出现50毫米以上降水，局部可达80毫米。",
       "低洼地区做好排水准备，地下空间和下穿立交注意防范积水。", "嘉定区北部及沪太交界地区", false},
      {"道路积水", "Infra", "Moderate", "Expected", "Likely", "沪太公路华亭段道路积水提示",
       "沪太公路华亭段至太仓界路段出现积水，深度约20厘米。",
       "车辆减速慢行，避免在积水路段熄火。", "沪太公路华亭段", true}};
  m.disputes = {{"跨界务工人员工资拖欠纠纷", "劳资纠纷",
                 "华亭镇一家企业拖欠太仓籍务工人员工资，涉及12人，劳动者要求两地协调解决。",
                 "工资全额支付到位，双方签署调解协议"}};
  m.problems = {{"交界河道水体发黑发臭", "水环境污染",
                 "嘉定区华亭镇与太仓市浏河镇交界的界河出现水体发黑发臭，疑有企业偷排。",
                 "排污口封堵，水质连续两周达到地表水Ⅳ类标准，并经两地联合验收"}};
  m.bulletins = {"华亭镇防汛值班安排|本周末华亭镇防汛值班电话24小时畅通，交界地区险情请及时通报。"};
  m.incidents = {"可疑人员|沪太公路华亭段卡口发现可疑人员，已联合盘查。",
                 "违规占道|华亭镇交界路段发现流动摊贩占道经营，已劝离。"};
  return m;
}

MemberFacts kunshan() {
  MemberFacts m;
  m.id = "kunshan";
  m.name = "昆山市";
  m.region_code = "320583";
  m.id_prefix = "KS";
  m.adapter = "kunshan-gb";
  m.border_line = "west_line";
  m.places = {{"周市镇", "昆山市周市镇青阳北路与太仓交界处", 31.4380, 121.0380},
              {"周市镇", "昆山市周市镇东方村", 31.4560, 121.0620},
              {"城厢镇", "太仓市城厢镇昆太交界处", 31.4250, 121.0900},
              {"双凤镇", "太仓市双凤镇新湖村", 31.4903, 121.0451}};
  m.police_unit = "昆山市公安局周市派出所昆太边界联防巡逻组";
  m.mediation_unit = "周市镇人民调解委员会";
  m.governance_unit = "昆山市社会治理现代化综合指挥中心";
  m.alert_sender = "qxt.ks.gov.cn";
  m.alerts = {
      {"大雾", "Met", "Moderate", "Expected", "Likely", "昆山市气象台发布大雾黄色预警",
       "预计未来6小时内昆山市及昆太交界地区将出现能见度低于500米的浓雾，局部低于200米。",
       "G15沈海高速、昆太路等跨界路段车辆减速慢行，开启雾灯，保持车距。", "昆山市及昆太交界地区", false},
      {"危化品运输车辆泄漏", "CBRNE", "Severe", "Immediate", "Observed", "昆太路周市段危化品运输车辆泄漏",
       "昆太路周市段一辆危化品运输车辆发生泄漏，现场已封控，下风向为太仓方向。",
       "下风向区域居民关闭门窗，听从现场指挥人员安排。", "昆太路周市段及下风向区域", false}};
  m.disputes = {{"交界路段交通事故赔偿纠纷", "交通事故纠纷",
                 "昆太路交界路段发生一起交通事故，双方对赔偿金额分歧较大，需两地联合调解。",
                 "赔偿款支付到位，双方签署调解协议"}};
  m.bulletins = {"昆太路周市段交通管制通告|昆太路周市段将于周六凌晨实施交通管制，请提前绕行。"};
  m.incidents = {"非法倾倒|昆太交界处发现货车倾倒渣土，已扣车调查。",
                 "走失人员|巡逻中发现一名走失老人，已联系家属接回。"};
  return m;
}

}  // namespace

const std::vector<MemberFacts>& federation() {
  static const std::vector<MemberFacts> members = {taicang(), baoshan(), jiading(), kunshan()};
  return members;
}

const MemberFacts* member_facts(std::string_view id) {
  for (const auto& m : federation())
    if (m.id == id) return &m;
  return nullptr;
}

const std::vector<std::string>& safety_indicators() {
  static const std::vector<std::string> indicators = {
      "电信网络诈骗发案数|起", "交界地区刑事警情数|起", "矛盾纠纷调解成功率|%", "联防巡逻里程|公里"};
  return indicators;
}

}  // namespace sixlink::sim
